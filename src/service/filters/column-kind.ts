import type { Driver } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import type { SqlDialect } from './sql-dialect';

/** What kind of value a column holds, as far as validating filter values goes. */
export type ColumnKind =
  'text' | 'enum' | 'integer' | 'bigint' | 'number' | 'boolean' | 'datetime' | 'date' | 'uuid' | 'other';

/** The inclusive range an integer column accepts, by normalised type. */
export interface IntegerRange {
  min: number;
  max: number;
}

const INT32: IntegerRange = { min: -2147483648, max: 2147483647 };
const SAFE: IntegerRange = { min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER };
const INTEGER_RANGES: Record<string, IntegerRange> = {
  tinyint: { min: -128, max: 127 },
  smallint: { min: -32768, max: 32767 },
  int2: { min: -32768, max: 32767 },
  mediumint: { min: -8388608, max: 8388607 },
  int: INT32,
  integer: INT32,
  int4: INT32,
};

/** Classifies a column by its type as the driver normalises it. */
export function columnKind(column: ColumnMetadata, driver: Driver): ColumnKind {
  if (column.type === 'uuid' || column.generationStrategy === 'uuid') return 'uuid';
  // Checked on the declared type: MySQL/MariaDB normalise booleans to tinyint.
  if (column.type === Boolean || column.type === 'boolean' || column.type === 'bool') return 'boolean';
  if (column.enum !== undefined) return 'enum';
  const type = String(driver.normalizeType(column)).toLowerCase();
  if (type === 'uuid') return 'uuid';
  if (type === 'bool' || type === 'boolean') return 'boolean';
  if (type === 'bigint' || type === 'int8' || type === 'unsigned big int') return 'bigint';
  if (type in INTEGER_RANGES) return 'integer';
  if (/^(float|double|real|decimal|dec|numeric|fixed|money|number)/.test(type)) return 'number';
  if (type === 'date') return 'date';
  if (/^(timestamp|datetime)/.test(type)) return 'datetime';
  if (/char|text|clob|citext|string/.test(type)) return 'text';
  return 'other';
}

/**
 * The values an integer column accepts. SQLite integers are 64-bit whatever the declared name;
 * elsewhere the declared size decides (an unsigned column may go up to twice the signed maximum).
 */
export function integerRange(column: ColumnMetadata, driver: Driver, dialect: SqlDialect): IntegerRange {
  if (dialect === 'sqlite') return SAFE;
  const range = INTEGER_RANGES[String(driver.normalizeType(column)).toLowerCase()] ?? SAFE;
  return column.unsigned ? { min: 0, max: range.max * 2 + 1 } : range;
}
