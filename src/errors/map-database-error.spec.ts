import { QueryFailedError, TypeORMError } from 'typeorm';
import { DuplicateKeyError } from './duplicate-key.error';
import { ForeignKeyError } from './foreign-key.error';
import { IntegrityError } from './integrity.error';
import { InvalidValueError } from './invalid-value.error';
import { DatabaseUnavailableError } from './database-unavailable.error';
import { NotFoundError } from './not-found.error';
import { RepositoryError } from './repository.error';
import { classifyConstraintViolation, mapDatabaseError } from './map-database-error';

/** An error shaped as each driver makes it (the real ones are exercised in test/service/error-mapping). */
function driverError(fields: Record<string, unknown>): Error {
  return Object.assign(new Error(String(fields.message ?? 'failed')), fields);
}
const failed = (fields: Record<string, unknown>) => new QueryFailedError('INSERT …', [], driverError(fields));

describe('classifyConstraintViolation', () => {
  it.each([
    ['PostgreSQL unique', { code: '23505' }, 'duplicate-key'],
    ['PostgreSQL foreign key', { code: '23503' }, 'foreign-key'],
    ['PostgreSQL not null', { code: '23502' }, 'integrity'],
    ['PostgreSQL check', { code: '23514' }, 'integrity'],
    ['PostgreSQL exclusion', { code: '23P01' }, 'integrity'],
    ['PostgreSQL other', { code: '42P01' }, undefined],
    ['MariaDB duplicate', { code: 'ER_DUP_ENTRY', errno: 1062, sqlState: '23000' }, 'duplicate-key'],
    ['MariaDB referenced row', { code: 'ER_ROW_IS_REFERENCED_2', errno: 1451, sqlState: '23000' }, 'foreign-key'],
    ['MariaDB missing parent', { code: 'ER_NO_REFERENCED_ROW_2', errno: 1452, sqlState: '23000' }, 'foreign-key'],
    ['MariaDB null', { code: 'ER_BAD_NULL_ERROR', errno: 1048, sqlState: '23000' }, 'integrity'],
    ['MariaDB no default', { code: 'ER_NO_DEFAULT_FOR_FIELD', errno: 1364, sqlState: 'HY000' }, 'integrity'],
    ['MariaDB check', { code: 'ER_CONSTRAINT_FAILED', errno: 4025, sqlState: '23000' }, 'integrity'],
    ['MariaDB missing table', { code: 'ER_NO_SUCH_TABLE', errno: 1146, sqlState: '42S02' }, undefined],
    ['SQLite unique', { code: 'SQLITE_CONSTRAINT_UNIQUE' }, 'duplicate-key'],
    ['SQLite primary key', { code: 'SQLITE_CONSTRAINT_PRIMARYKEY' }, 'duplicate-key'],
    ['SQLite foreign key', { code: 'SQLITE_CONSTRAINT_FOREIGNKEY' }, 'foreign-key'],
    ['SQLite RESTRICT', { code: 'SQLITE_CONSTRAINT_TRIGGER', message: 'FOREIGN KEY constraint failed' }, 'foreign-key'],
    ['SQLite not null', { code: 'SQLITE_CONSTRAINT_NOTNULL' }, 'integrity'],
    ['SQLite check', { code: 'SQLITE_CONSTRAINT_CHECK' }, 'integrity'],
    ['SQLite busy', { code: 'SQLITE_BUSY' }, undefined],
  ])('%s', (_name, fields, expected) => {
    expect(classifyConstraintViolation(failed(fields))).toBe(expected);
  });
});

describe('mapDatabaseError', () => {
  it('maps each violation to its class, keeping the driver error as cause and its message as detail', () => {
    const cases: Array<[Record<string, unknown>, new (...args: never[]) => Error]> = [
      [{ code: '23505' }, DuplicateKeyError],
      [{ code: 'SQLITE_CONSTRAINT_FOREIGNKEY' }, ForeignKeyError],
      [{ code: 'ER_BAD_NULL_ERROR', errno: 1048, sqlState: '23000' }, IntegrityError],
    ];
    for (const [fields, expected] of cases) {
      const source = failed({ ...fields, message: 'constraint "x" violated' });
      const mapped = mapDatabaseError(source) as RepositoryError;
      expect(mapped).toBeInstanceOf(expected);
      expect(mapped.cause).toBe(source);
      expect(mapped.detail).toContain('constraint "x" violated');
    }
  });

  it('any other TypeORM or driver error becomes a RepositoryError', () => {
    expect(mapDatabaseError(failed({ code: '42P01' }))).toBeInstanceOf(RepositoryError);
    expect(mapDatabaseError(new TypeORMError('no metadata'))).toBeInstanceOf(RepositoryError);
    expect(mapDatabaseError(driverError({ code: 'SQLITE_BUSY' }))).toBeInstanceOf(RepositoryError);
  });

  it('maps PostgreSQL refusing a NUL character in text to InvalidValueError (422), not a 500', () => {
    const mapped = mapDatabaseError(
      failed({ code: '22021', message: 'invalid byte sequence for encoding "UTF8": 0x00' }),
    );
    expect(mapped).toBeInstanceOf(InvalidValueError);
    expect(mapped).toBeInstanceOf(IntegrityError);
    expect((mapped as Error).message).toMatch(/NUL character/);
    // Other bad byte sequences are not about NUL: they stay a plain repository error.
    expect(mapDatabaseError(failed({ code: '22021', message: 'invalid byte sequence: 0xc3 0x28' }))).not.toBeInstanceOf(
      InvalidValueError,
    );
  });

  it("maps TypeORM's 'Query runner already released' (its connection failed) to DatabaseUnavailableError", () => {
    class QueryRunnerAlreadyReleasedError extends TypeORMError {}
    expect(mapDatabaseError(new QueryRunnerAlreadyReleasedError('released'))).toBeInstanceOf(DatabaseUnavailableError);
  });

  it("leaves the library's own errors and programming errors alone", () => {
    const own = new NotFoundError('gone');
    const bug = new TypeError('x is undefined');
    expect(mapDatabaseError(own)).toBe(own);
    expect(mapDatabaseError(bug)).toBe(bug);
  });
});
