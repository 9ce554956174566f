import { AdvancedAlchemyError } from '../errors/advanced-alchemy.error';
import { DatabaseUnavailableError } from '../errors/database-unavailable.error';
import { StatementTimeoutError } from '../errors/statement-timeout.error';
import { isConnectionError } from './connection-errors';

// PostgreSQL query_canceled (statement_timeout), MariaDB ER_STATEMENT_TIMEOUT, MySQL ER_QUERY_TIMEOUT.
const PG_STATEMENT_TIMEOUT = '57014';
const MYSQL_STATEMENT_TIMEOUT = new Set([1969, 3024]);

interface DriverFields {
  code?: unknown;
  errno?: unknown;
  driverError?: unknown;
}

function isStatementTimeout(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const fields = ((error as DriverFields).driverError ?? error) as DriverFields;
  return (
    fields.code === PG_STATEMENT_TIMEOUT ||
    (typeof fields.errno === 'number' && MYSQL_STATEMENT_TIMEOUT.has(fields.errno))
  );
}

const isCommit = (sql: string): boolean => /^\s*(COMMIT|XA\s+COMMIT)\b/i.test(sql);

/**
 * What a failed statement of a session throws: a lost connection becomes `DatabaseUnavailableError`
 * (503; for a COMMIT in flight the message says the outcome is unknown), a statement timeout
 * `StatementTimeoutError` (503); anything else is the driver's error, unchanged.
 */
export function statementFailure(error: unknown, sql: string, bindKey: string, timeoutMs: number): unknown {
  if (error instanceof AdvancedAlchemyError) return error;
  if (isStatementTimeout(error)) {
    return new StatementTimeoutError(
      `A statement on bind key "${bindKey}" ran longer than its statement timeout (${timeoutMs} ms) and was ` +
        'cancelled; the transaction was rolled back. Retry later, or raise engineConfig.statementTimeout ' +
        '(session.setStatementTimeout() for one session).',
      { cause: error },
    );
  }
  if (!isConnectionError(error)) return error;
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
