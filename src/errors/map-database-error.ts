import { TypeORMError } from 'typeorm';
import { AdvancedAlchemyError } from './advanced-alchemy.error';
import { DuplicateKeyError } from './duplicate-key.error';
import { ForeignKeyError } from './foreign-key.error';
import { IntegrityError } from './integrity.error';
import { InvalidValueError } from './invalid-value.error';
import { RepositoryError } from './repository.error';
import { isConnectionError } from './connection-errors';
import { DatabaseUnavailableError } from './database-unavailable.error';

/** What kind of constraint a database error reports, whatever the database. */
export type ConstraintViolation = 'duplicate-key' | 'foreign-key' | 'integrity';

// MySQL / MariaDB error numbers (https://mariadb.com/kb/en/mariadb-error-code-reference/).
const MYSQL_DUPLICATE = new Set([1022, 1062, 1169, 1586]);
const MYSQL_FOREIGN_KEY = new Set([1216, 1217, 1451, 1452]);
// NOT NULL (1048, 1364, 1263), CHECK (3819 MySQL, 4025 MariaDB), generated-column and
// partition-key constraints (3105, 1526, 1748).
const MYSQL_INTEGRITY = new Set([1048, 1263, 1364, 1526, 1748, 3105, 3819, 4025]);

interface DriverErrorFields {
  code?: unknown;
  errno?: unknown;
  sqlState?: unknown;
}

/**
 * Recognises a constraint violation from PostgreSQL SQLSTATEs (`23505`, `23503`, other `23xxx`),
 * MySQL/MariaDB error numbers and SQLite extended result codes (`SQLITE_CONSTRAINT_*`).
 * Undefined when the error is not a constraint violation.
 */
export function classifyConstraintViolation(error: unknown): ConstraintViolation | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const driverError = ((error as { driverError?: unknown }).driverError ?? error) as DriverErrorFields;
  const code = typeof driverError.code === 'string' ? driverError.code : '';
  if (code.startsWith('SQLITE_CONSTRAINT')) {
    if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return 'duplicate-key';
    if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return 'foreign-key';
    // ON DELETE/UPDATE RESTRICT fails as a trigger would, with the foreign-key message.
    const message = (driverError as { message?: unknown }).message;
    if (typeof message === 'string' && message.includes('FOREIGN KEY constraint failed')) return 'foreign-key';
    return 'integrity';
  }
  const errno = typeof driverError.errno === 'number' ? driverError.errno : undefined;
  if (errno !== undefined && typeof driverError.sqlState === 'string') {
    if (MYSQL_DUPLICATE.has(errno)) return 'duplicate-key';
    if (MYSQL_FOREIGN_KEY.has(errno)) return 'foreign-key';
    if (MYSQL_INTEGRITY.has(errno) || driverError.sqlState === '23000') return 'integrity';
    return undefined;
  }
  if (/^23[0-9A-Z]{3}$/.test(code)) {
    if (code === '23505') return 'duplicate-key';
    if (code === '23503') return 'foreign-key';
    return 'integrity';
  }
  return undefined;
}

/**
 * Turns what a TypeORM call threw into the repository's errors: constraint violations into
 * `DuplicateKeyError` / `ForeignKeyError` / `IntegrityError`, any other TypeORM or driver error
 * into `RepositoryError`. The library's own errors and programming errors (a `TypeError` …) are
 * returned unchanged. The original error is the `cause`; the database's message is `detail`.
 */
export function mapDatabaseError(error: unknown): unknown {
  if (error instanceof AdvancedAlchemyError) return error;
  if (isConnectionError(error)) {
    return new DatabaseUnavailableError('The database cannot be reached: the connection was refused or lost.', {
      cause: error,
    });
  }
  const detail = error instanceof Error ? error.message : String(error);
  const options = { cause: error, detail };
  if (isNulInText(error)) {
    return new InvalidValueError(
      'A text value contains a NUL character (\\u0000), which PostgreSQL cannot store: remove it.',
      options,
    );
  }
  switch (classifyConstraintViolation(error)) {
    case 'duplicate-key':
      return new DuplicateKeyError(undefined, options);
    case 'foreign-key':
      return new ForeignKeyError(undefined, options);
    case 'integrity':
      return new IntegrityError(undefined, options);
  }
  if (error instanceof TypeORMError || isDriverError(error)) {
    return new RepositoryError(`The database operation failed: ${detail}`, options);
  }
  return error;
}

/** PostgreSQL's character_not_in_repertoire for a 0x00 byte in text. */
function isNulInText(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const driverError = ((error as { driverError?: unknown }).driverError ?? error) as DriverErrorFields & {
    message?: unknown;
  };
  return (
    driverError.code === '22021' && typeof driverError.message === 'string' && driverError.message.includes('0x00')
  );
}

/** Errors raised by pg, mysql2 or better-sqlite3 themselves carry a string `code` (a SQLSTATE, ER_…, SQLITE_…). */
function isDriverError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as DriverErrorFields).code;
  return typeof code === 'string' && /^([0-9A-Z]{5}|ER_\w+|SQLITE_\w+)$/.test(code);
}
