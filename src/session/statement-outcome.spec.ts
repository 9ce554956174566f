import { QueryFailedError } from 'typeorm';
import { DatabaseUnavailableError } from '../errors/database-unavailable.error';
import { ReadOnlyTransactionError } from '../errors/read-only-transaction.error';
import { StatementTimeoutError } from '../errors/statement-timeout.error';
import { TransactionConflictError } from '../errors/transaction-conflict.error';
import { deadlinePassed, statementFailure } from './statement-outcome';

const driverError = (fields: Record<string, unknown>) => Object.assign(new Error(String(fields.message)), fields);
const failed = (sql: string, fields: Record<string, unknown>) => new QueryFailedError(sql, [], driverError(fields));

describe('statementFailure', () => {
  it('turns a server-side statement timeout into StatementTimeoutError on each database', () => {
    const postgres = failed('SELECT pg_sleep(5)', {
      code: '57014',
      message: 'canceling statement due to statement timeout',
    });
    const mariadb = failed('SELECT SLEEP(5)', {
      errno: 1969,
      code: 'ER_STATEMENT_TIMEOUT',
      message: 'max_statement_time exceeded',
    });
    const mysql = failed('SELECT SLEEP(5)', {
      errno: 3024,
      code: 'ER_QUERY_TIMEOUT',
      message: 'maximum statement execution time exceeded',
    });
    for (const error of [postgres, mariadb, mysql]) {
      const mapped = statementFailure(error, 'SELECT 1', 'reports', 1500);
      expect(mapped).toBeInstanceOf(StatementTimeoutError);
      expect(mapped).toBeInstanceOf(DatabaseUnavailableError);
      expect((mapped as Error).message).toMatch(/bind key "reports".*1500 ms.*engineConfig\.statementTimeout/);
      expect((mapped as Error).cause).toBe(error);
    }
  });

  it('turns a Galera node out of the primary component into DatabaseUnavailableError (503), not a bad query', () => {
    // The fields mysql2 gives for what a node answers with wsrep_reject_queries or outside the primary component.
    const notReady = {
      errno: 1047,
      code: 'ER_UNKNOWN_COM_ERROR',
      sqlState: '08S01',
      message: 'WSREP has not yet prepared node for application use',
    };
    const statement = statementFailure(failed('INSERT INTO t VALUES (1)', notReady), 'INSERT', 'orders', 0) as Error;
    expect(statement).toBeInstanceOf(DatabaseUnavailableError);
    expect(statement.message).toMatch(
      /Galera node of bind key "orders" is not part of the cluster's primary component/,
    );
    const commit = statementFailure(failed('COMMIT', notReady), 'COMMIT', 'orders', 0) as Error;
    expect(commit.message).toMatch(/may or may not have been stored/);
    const unknownCommand = failed('X', { errno: 1047, code: 'ER_UNKNOWN_COM_ERROR', message: 'Unknown command' });
    expect(statementFailure(unknownCommand, 'X', 'orders', 0)).toBe(unknownCommand);
  });

  it('turns a Galera certification failure at COMMIT (1213) into TransactionConflictError', () => {
    const certification = failed('COMMIT', {
      errno: 1213,
      code: 'ER_LOCK_DEADLOCK',
      sqlState: '40001',
      message: 'Deadlock found when trying to get lock; try restarting transaction',
    });
    expect(statementFailure(certification, 'COMMIT', 'orders', 0)).toBeInstanceOf(TransactionConflictError);
  });

  it('turns a lost connection into DatabaseUnavailableError; for a COMMIT the outcome is unknown', () => {
    const lost = driverError({ message: 'Connection terminated unexpectedly' });
    const statement = statementFailure(lost, 'INSERT INTO t VALUES (1)', 'default', 30_000) as Error;
    expect(statement).toBeInstanceOf(DatabaseUnavailableError);
    expect(statement.message).toMatch(/was lost: the transaction was rolled back/);
    const commit = statementFailure(lost, 'COMMIT', 'default', 30_000) as Error;
    expect(commit.message).toMatch(/while its COMMIT was in flight: the changes may or may not have been stored/);
  });

  it.each([
    [
      'PostgreSQL serialization failure',
      { code: '40001', message: 'could not serialize access' },
      /serialization failure/,
    ],
    ['PostgreSQL deadlock', { code: '40P01', message: 'deadlock detected' }, /a deadlock/],
    ['MySQL/MariaDB deadlock', { errno: 1213, code: 'ER_LOCK_DEADLOCK', message: 'Deadlock found' }, /a deadlock/],
    [
      'MySQL/MariaDB lock wait timeout',
      { errno: 1205, code: 'ER_LOCK_WAIT_TIMEOUT', message: 'Lock wait' },
      /lock wait/,
    ],
  ])(
    'turns a %s into TransactionConflictError (a 503 that says the request may be repeated)',
    (_name, fields, kind) => {
      const error = failed('UPDATE …', fields);
      const mapped = statementFailure(error, 'UPDATE …', 'orders', 30_000) as Error;
      expect(mapped).toBeInstanceOf(TransactionConflictError);
      expect(mapped).toBeInstanceOf(DatabaseUnavailableError);
      expect(mapped.message).toMatch(kind);
      expect(mapped.message).toMatch(/bind key "orders".*may be repeated/);
      expect(mapped.cause).toBe(error);
    },
  );

  it.each([
    ['PostgreSQL', { code: '25006', message: 'cannot execute INSERT in a read-only transaction' }],
    ['MySQL/MariaDB', { errno: 1792, code: 'ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION', message: 'read only' }],
    ['SQLite', { code: 'SQLITE_READONLY', message: 'attempt to write a readonly database' }],
  ])(
    'turns a write in a read-only transaction on %s into ReadOnlyTransactionError with the database message',
    (_name, fields) => {
      const mapped = statementFailure(failed('INSERT …', fields), 'INSERT …', 'default', 0) as Error;
      expect(mapped).toBeInstanceOf(ReadOnlyTransactionError);
      expect(mapped.message).toContain(fields.message);
    },
  );

  it('leaves every other error alone (the repository service maps constraint violations itself)', () => {
    const duplicate = failed('INSERT …', { code: '23505', message: 'duplicate key' });
    expect(statementFailure(duplicate, 'INSERT …', 'default', 30_000)).toBe(duplicate);
  });
});

describe('deadlinePassed', () => {
  it('says the connection was dropped, and for a COMMIT that the outcome is unknown', () => {
    expect(deadlinePassed('SELECT 1', 'default', 31_000).message).toMatch(
      /did not answer a statement within 31000 ms: the connection was dropped and the transaction rolled back/,
    );
    expect(deadlinePassed('COMMIT', 'default', 31_000).message).toMatch(/may or may not have been stored/);
  });
});
