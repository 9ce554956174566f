import { AdvancedAlchemyError } from '../errors/advanced-alchemy.error';
import { DatabaseUnavailableError } from '../errors/database-unavailable.error';
import { ReadOnlyTransactionError } from '../errors/read-only-transaction.error';
import { StatementTimeoutError } from '../errors/statement-timeout.error';
import { TransactionConflictError } from '../errors/transaction-conflict.error';
import { isConnectionError, isGaleraNotReady, unreachableMessage } from '../errors/connection-errors';

// PostgreSQL query_canceled (statement_timeout), MariaDB ER_STATEMENT_TIMEOUT, MySQL ER_QUERY_TIMEOUT.
const PG_STATEMENT_TIMEOUT = '57014';
const MYSQL_STATEMENT_TIMEOUT = new Set([1969, 3024]);

// What the database says when concurrent transactions collide: PostgreSQL serialization_failure,
// deadlock_detected and lock_not_available (a NOWAIT lock on a row held by another transaction);
// MySQL/MariaDB ER_LOCK_DEADLOCK and ER_LOCK_WAIT_TIMEOUT (also what their NOWAIT answers).
const PG_CONFLICTS: Record<string, string> = {
  '40001': 'a serialization failure',
  '40P01': 'a deadlock',
  '55P03': 'a row locked by another transaction (NOWAIT)',
};
const MYSQL_CONFLICTS: Record<number, string> = { 1213: 'a deadlock', 1205: 'a lock wait timeout' };
// A write in a read-only transaction: PostgreSQL read_only_sql_transaction, MySQL/MariaDB
// ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION, SQLite under PRAGMA query_only.
const PG_READ_ONLY = '25006';
const MYSQL_READ_ONLY = 1792;
const SQLITE_READ_ONLY = 'SQLITE_READONLY';

interface DriverFields {
  code?: unknown;
  errno?: unknown;
  driverError?: unknown;
  message?: unknown;
}

function driverFields(error: unknown): DriverFields | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  return ((error as DriverFields).driverError ?? error) as DriverFields;
}

/** What kind of conflict between transactions an error reports, if it is one. */
function conflictOf(error: unknown): string | undefined {
  const fields = driverFields(error);
  if (fields === undefined) return undefined;
  if (typeof fields.code === 'string' && fields.code in PG_CONFLICTS) return PG_CONFLICTS[fields.code];
  if (typeof fields.errno === 'number' && fields.errno in MYSQL_CONFLICTS) return MYSQL_CONFLICTS[fields.errno];
  return undefined;
}

function isReadOnlyViolation(error: unknown): boolean {
  const fields = driverFields(error);
  return (
    fields !== undefined &&
    (fields.code === PG_READ_ONLY || fields.errno === MYSQL_READ_ONLY || fields.code === SQLITE_READ_ONLY)
  );
}

function isStatementTimeout(error: unknown): boolean {
  const fields = driverFields(error);
  if (fields === undefined) return false;
  return (
    fields.code === PG_STATEMENT_TIMEOUT ||
    (typeof fields.errno === 'number' && MYSQL_STATEMENT_TIMEOUT.has(fields.errno))
  );
}

const isCommit = (sql: string): boolean => /^\s*(COMMIT|XA\s+COMMIT)\b/i.test(sql);

/**
 * What a failed statement of a session throws: a lost connection becomes `DatabaseUnavailableError`
 * (503; for a COMMIT in flight the message says the outcome is unknown), a statement timeout
 * `StatementTimeoutError` (503), a conflict between transactions `TransactionConflictError` (503,
 * retried by units that own their transaction), a write in a read-only unit
 * `ReadOnlyTransactionError`; anything else is the driver's error, unchanged.
 */
export function statementFailure(error: unknown, sql: string, bindKey: string, timeoutMs: number): unknown {
  if (error instanceof AdvancedAlchemyError) return error;
  const conflict = conflictOf(error);
  if (conflict !== undefined) {
    return new TransactionConflictError(
      `The database stopped a transaction on bind key "${bindKey}" because of ${conflict} with concurrent ` +
        'transactions; nothing of it was stored. The request may be repeated (a unit with `retry` reruns by itself).',
      { cause: error },
    );
  }
  if (isReadOnlyViolation(error)) {
    const detail = driverFields(error)?.message;
    return new ReadOnlyTransactionError(
      `A statement tried to write inside a read-only unit (readOnly: true) of bind key "${bindKey}"; the database ` +
        `refused it${typeof detail === 'string' ? `: ${detail}` : ''}. Write in a unit without readOnly.`,
      { cause: error },
    );
  }
  if (isStatementTimeout(error)) {
    return new StatementTimeoutError(
      `A statement on bind key "${bindKey}" ran longer than its statement timeout (${timeoutMs} ms) and was ` +
        'cancelled; the transaction was rolled back. Retry later, or raise engineConfig.statementTimeout ' +
        '(session.setStatementTimeout() for one session).',
      { cause: error },
    );
  }
  if (!isConnectionError(error)) return error;
  if (isGaleraNotReady(error) && !isCommit(sql)) {
    return new DatabaseUnavailableError(unreachableMessage(bindKey, error), { cause: error });
  }
  return new DatabaseUnavailableError(
    isCommit(sql)
      ? `The connection of bind key "${bindKey}" was lost while its COMMIT was in flight: the changes may or may ` +
          'not have been stored. Check before repeating the request.'
      : `The connection of bind key "${bindKey}" was lost: the transaction was rolled back by the database. ` +
          'Retry the request.',
    { cause: error },
  );
}

/** The error of a statement whose answer did not come within the deadline (the connection is dropped). */
export function deadlinePassed(sql: string, bindKey: string, deadlineMs: number): StatementTimeoutError {
  return new StatementTimeoutError(
    `The database of bind key "${bindKey}" did not answer a statement within ${deadlineMs} ms: the connection was ` +
      (isCommit(sql)
        ? 'dropped while its COMMIT was in flight, so the changes may or may not have been stored. Check before repeating the request.'
        : 'dropped and the transaction rolled back. Retry later.'),
  );
}
