import type { DataSource, EntityMetadata } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

/**
 * Rows as `dump-data` writes them: one JSON object per row, keyed by column name. Values go
 * through TypeORM's own conversions (without the entity's value transformers), so dates become
 * ISO 8601 strings, JSON columns objects, binary columns base64 and big integers strings — and
 * `load-data` converts them back the same way.
 */
export type JsonRow = Record<string, unknown>;

const BINARY_TYPE = /blob|bytea|binary/i;

/** A database row (as the driver returns it) as JSON-ready values. */
export function rowToJson(dataSource: DataSource, metadata: EntityMetadata, row: JsonRow): JsonRow {
  const result: JsonRow = {};
  for (const [key, raw] of Object.entries(row)) {
    const column = metadata.findColumnWithDatabaseName(key);
    const value = column && raw !== null ? dataSource.driver.prepareHydratedValue(raw, untransformed(column)) : raw;
    result[key] = toJsonValue(value);
  }
  return result;
}

/** A JSON row back to the values the driver sends, for an INSERT. */
export function jsonToRow(dataSource: DataSource, metadata: EntityMetadata, row: JsonRow): JsonRow {
  const result: JsonRow = {};
  for (const [key, value] of Object.entries(row)) {
    const column = metadata.findColumnWithDatabaseName(key);
    if (!column || value === null || value === undefined) {
      result[key] = value ?? null;
      continue;
    }
    const revived = typeof value === 'string' && isBinary(dataSource, column) ? Buffer.from(value, 'base64') : value;
    result[key] = dataSource.driver.preparePersistentValue(revived, untransformed(column));
  }
  return result;
}

function toJsonValue(value: unknown): unknown {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (typeof value === 'bigint') return value.toString();
  return value;
}

function isBinary(dataSource: DataSource, column: ColumnMetadata): boolean {
  return (column.type as unknown) === Buffer || BINARY_TYPE.test(String(dataSource.driver.normalizeType(column)));
}

/** The column without its value transformer: dumps hold database values, not the entity's. */
function untransformed(column: ColumnMetadata): ColumnMetadata {
  return column.transformer
    ? (Object.assign(Object.create(column), { transformer: undefined }) as ColumnMetadata)
    : column;
}
