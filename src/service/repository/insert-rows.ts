import type { ObjectLiteral, QueryDeepPartialEntity, Repository } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { primaryKeyFilter, primaryKeyString } from './criteria';

/**
 * Inserts entities in one multi-row INSERT and gives them what the database generated (ids,
 * column defaults), as a read would give them.
 *
 * Where the database has RETURNING (PostgreSQL, MariaDB 10.5+) TypeORM reads those columns back
 * in the same statement, but merges the driver's raw values (`1` for a MariaDB boolean, a string
 * for a bigint): we hydrate them. Elsewhere (SQLite, MySQL) TypeORM would re-select the rows and
 * merge them by position, yet that SELECT comes back in primary-key order, so rows with UUID keys
 * would swap ids: there we take auto-increment ids from the driver and merge the re-selected
 * defaults by primary key.
 */
export async function insertRows<Entity extends ObjectLiteral>(
  repository: Repository<Entity>,
  entities: Entity[],
): Promise<void> {
  const metadata = repository.metadata;
  const driver = repository.manager.dataSource.driver;
  const returning = driver.isReturningSqlSupported('insert');
  const generated = metadata
    .getInsertionReturningColumns()
    .filter((column) => !column.isVirtual && !column.isVirtualProperty);
  const result = await repository
    .createQueryBuilder()
    .insert()
    .into(metadata.target)
    .values(entities as QueryDeepPartialEntity<Entity>[])
    .updateEntity(returning)
    .execute();
  if (returning) {
    hydrate(repository, entities, generated);
  } else {
    await readBackGenerated(repository, entities, generated, result.raw);
  }
  // A column left out and without a default was stored as NULL: say so, as a read would.
  const columns = metadata.columns.filter((column) => !column.isVirtual && !column.isVirtualProperty);
  for (const entity of entities) {
    for (const column of columns) if (column.getEntityValue(entity) === undefined) column.setEntityValue(entity, null);
  }
}

/** Without RETURNING: auto-increment ids from the driver, then the defaults re-selected and merged by primary key. */
async function readBackGenerated<Entity extends ObjectLiteral>(
  repository: Repository<Entity>,
  entities: Entity[],
  generated: readonly ColumnMetadata[],
  raw: unknown,
): Promise<void> {
  const metadata = repository.metadata;
  const driver = repository.manager.dataSource.driver;
  entities.forEach((entity, index) => {
    const ids = driver.createGeneratedMap(metadata, raw, index, entities.length);
    if (ids) repository.merge(entity, ids as Entity);
  });
  hydrate(
    repository,
    entities,
    generated.filter((column) => column.isGenerated && column.generationStrategy === 'increment'),
  );
  const defaults = generated.filter((column) => !column.isPrimary);
  if (defaults.length === 0) return;
  const query = repository.createQueryBuilder('inserted');
  primaryKeyFilter(metadata, entities).apply(query);
  const stored = new Map((await query.getMany()).map((row) => [primaryKeyString(metadata, row), row]));
  for (const entity of entities) {
    const row = stored.get(primaryKeyString(metadata, entity));
    if (row) for (const column of defaults) column.setEntityValue(entity, column.getEntityValue(row));
  }
}

/** Turns the driver's raw values of `columns` into entity values (types, then column transformers). */
function hydrate<Entity extends ObjectLiteral>(
  repository: Repository<Entity>,
  entities: readonly Entity[],
  columns: readonly ColumnMetadata[],
): void {
  const driver = repository.manager.dataSource.driver;
  for (const entity of entities) {
    for (const column of columns) {
      const raw: unknown = column.getEntityValue(entity);
      if (raw !== undefined) column.setEntityValue(entity, driver.prepareHydratedValue(raw, column));
    }
  }
}
