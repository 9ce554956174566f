import type { DataSource, EntityMetadata, ObjectLiteral, Repository } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { InvalidFilterError } from '../../errors/invalid-filter.error';
import { CollectionFilter } from '../filters/collection-filter';
import { ComparisonFilter } from '../filters/comparison-filter';
import { FilterGroup } from '../filters/filter-group';
import { TouchUpdatedTimestampSubscriber } from '../../listeners/touch-updated-timestamp.subscriber';
import { keyPart } from './criteria';

/** The columns of a row given a value by the caller (before listeners fill ids and timestamps). */
export function suppliedColumns(metadata: EntityMetadata, entity: ObjectLiteral): ColumnMetadata[] {
  return metadata.columns.filter(
    (column) => !column.isVirtual && !column.isVirtualProperty && column.getEntityValue(entity) !== undefined,
  );
}

/** The key of a row by its match fields, for finding it again after the upsert. */
export function matchKey(columns: readonly ColumnMetadata[], entity: ObjectLiteral): string {
  return columns.map((column) => keyPart(column.getEntityValue(entity))).join('\u0000');
}

/** Rows whose match fields equal those of one of `rows`. */
export function matchFilter(
  columns: readonly ColumnMetadata[],
  rows: readonly ObjectLiteral[],
): CollectionFilter | FilterGroup {
  if (columns.length === 1) {
    return new CollectionFilter(
      columns[0].propertyPath,
      rows.map((row) => columns[0].getEntityValue(row) as unknown),
    );
  }
  return new FilterGroup(
    'or',
    rows.map(
      (row) =>
        new FilterGroup(
          'and',
          columns.map((column) => new ComparisonFilter(column.propertyPath, 'eq', column.getEntityValue(row))),
        ),
    ),
  );
}

/**
 * The `updatedAt` column the touch listener keeps fresh, if this DataSource has the listener:
 * an upsert that updates a row must touch it as `save()` would.
 */
function touchedColumn(dataSource: DataSource, metadata: EntityMetadata): ColumnMetadata | undefined {
  if (!dataSource.subscribers.some((subscriber) => subscriber instanceof TouchUpdatedTimestampSubscriber)) {
    return undefined;
  }
  return metadata.columns.find(
    (column) => !column.isUpdateDate && (column.propertyName === 'updatedAt' || column.databaseName === 'updated_at'),
  );
}

/**
 * Inserts rows that all supply the same columns in one statement; a row colliding with an
 * existing one on the match columns updates it instead (`ON CONFLICT … DO UPDATE` on PostgreSQL
 * and SQLite, `ON DUPLICATE KEY UPDATE` on MariaDB/MySQL). Only the columns the caller supplied
 * are updated, never the primary key or `createdAt` the listeners filled in, plus `updatedAt`
 * where the touch listener is on. Where the driver writes `RETURNING` for an insert (PostgreSQL,
 * MariaDB 10.5+), returns the rows as stored, inserted and updated alike; else undefined, and the
 * caller reads them back.
 */
export async function upsertRows<Entity extends ObjectLiteral>(
  repository: Repository<Entity>,
  rows: Entity[],
  supplied: readonly ColumnMetadata[],
  matchColumns: readonly ColumnMetadata[],
): Promise<Entity[] | undefined> {
  const metadata = repository.metadata;
  for (const row of rows) {
    for (const column of matchColumns) {
      const value: unknown = column.getEntityValue(row);
      if (value === undefined || value === null) {
        throw new InvalidFilterError(`An upsert of ${metadata.name} needs a value for "${column.propertyPath}".`);
      }
    }
  }
  const updated = new Set(supplied.filter((column) => !column.isPrimary || matchColumns.includes(column)));
  for (const column of matchColumns) updated.add(column);
  const touched = touchedColumn(repository.manager.dataSource, metadata);
  if (touched) {
    updated.add(touched);
    const now = new Date();
    for (const row of rows) if (touched.getEntityValue(row) === undefined) touched.setEntityValue(row, now);
  }
  const driver = repository.manager.dataSource.driver;
  const stored = storedColumns(metadata);
  const returning = driver.isReturningSqlSupported('insert');
  const query = repository
    .createQueryBuilder()
    .insert()
    .into(metadata.target)
    .values(rows)
    .orUpdate(
      [...updated].filter((column) => column.isUpdate !== false).map((column) => column.databaseName),
      matchColumns.map((column) => column.databaseName),
    )
    .updateEntity(false);
  if (returning) query.returning(stored.map((column) => column.propertyPath));
  const result = await query.execute();
  if (!returning) return undefined;
  const raw = (Array.isArray(result.raw) ? result.raw : []) as Record<string, unknown>[];
  return raw.map((values) => {
    const entity = repository.create();
    for (const column of stored) {
      column.setEntityValue(entity, driver.prepareHydratedValue(values[column.databaseName], column));
    }
    return entity;
  });
}

/** The columns a row read back has: its own, not a relation's join column without a property. */
function storedColumns(metadata: EntityMetadata): ColumnMetadata[] {
  return metadata.columns.filter((column) => !column.isVirtual && !column.isVirtualProperty);
}
