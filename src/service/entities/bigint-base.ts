import { BeforeInsert, PrimaryGeneratedColumn, type ValueTransformer } from 'typeorm';
import type { PrimaryGeneratedColumnNumericOptions } from 'typeorm/decorator/options/PrimaryGeneratedColumnNumericOptions';
import { stampCreation } from './audit-stamps';
import { DialectColumnType } from './dialect-column-types';
import { UtcTimestampColumn } from './utc-timestamp-column';

/**
 * Reads a bigint as a JavaScript number: PostgreSQL and MariaDB hand bigints over as strings,
 * SQLite as numbers. An id beyond Number.MAX_SAFE_INTEGER (2^53 − 1) cannot be a number
 * exactly, so reading one throws instead of returning a wrong id.
 */
export const bigintIdTransformer: ValueTransformer = {
  to: (value: unknown) => value,
  from: (value: unknown) => {
    if (value === null || value === undefined) return value;
    const id = Number(value);
    if (!Number.isSafeInteger(id)) {
      throw new RangeError(`The id ${String(value)} is beyond Number.MAX_SAFE_INTEGER and cannot be read exactly.`);
    }
    return id;
  },
};

const idColumn: PrimaryGeneratedColumnNumericOptions & { transformer: ValueTransformer } = {
  type: 'bigint',
  transformer: bigintIdTransformer,
};

/**
 * An entity with an auto-increment 64-bit primary key `id`, read as a `number` on every database
 * (see `bigintIdTransformer`). On SQLite the column is `integer` (64-bit there), the only type
 * AUTOINCREMENT accepts.
 */
export abstract class BigIntBase {
  @PrimaryGeneratedColumn(idColumn)
  @DialectColumnType({ sqlite: 'integer' })
  id!: number;
}

/** `BigIntBase` with `createdAt`/`updatedAt` (UTC instants). */
export abstract class BigIntAuditBase extends BigIntBase {
  @UtcTimestampColumn()
  createdAt!: Date;

  @UtcTimestampColumn()
  updatedAt!: Date;

  @BeforeInsert()
  protected stampAuditTimestamps(): void {
    stampCreation(this);
  }
}
