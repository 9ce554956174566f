import type { ObjectLiteral, Repository } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { assertVersion, suppliedVersion } from './optimistic-lock';
import type { Criterion } from './repository-types';
import { matchFilter, matchKey } from './upsert-rows';

/**
 * Before an upsert of an entity with a `@VersionColumn`: reads the rows the items will update,
 * under a row lock, refuses (`ConflictError`) an item carrying a version its row has moved past,
 * and gives every item the version it will have (the stored one plus one; 1 for a new row), so
 * `ON CONFLICT … DO UPDATE` moves the version as `save()` does.
 */
export async function prepareVersions<Entity extends ObjectLiteral>(
  repository: Repository<Entity>,
  matchColumns: readonly ColumnMetadata[],
  rows: readonly Entity[],
  read: (criteria: Criterion<Entity>[]) => Promise<Entity[]>,
): Promise<void> {
  const metadata = repository.metadata;
  const column = metadata.versionColumn;
  if (!column) return;
  const existing = await read([matchFilter(matchColumns, rows), { withDeleted: true, lock: 'update' }]);
  const byKey = new Map(existing.map((row) => [matchKey(matchColumns, row), row]));
  for (const row of rows) {
    const stored = byKey.get(matchKey(matchColumns, row));
    if (stored) {
      assertVersion(metadata, stored, suppliedVersion(metadata, row));
      column.setEntityValue(row, Number(column.getEntityValue(stored)) + 1);
    } else {
      column.setEntityValue(row, 1);
    }
  }
}
