import { isConnectionError } from './connection-errors';

/**
 * COMMIT errors known to have rolled back: the database had closed the connection (killed it while
 * the session sat idle in its transaction, or shut down) before the COMMIT was written, so the
 * COMMIT never reached it and the transaction was rolled back there.
 */
const rolledBackBeforeCommit = new WeakSet<object>();

interface DriverConnection {
  _fatalError?: unknown;
  _closing?: unknown;
  _ending?: unknown;
  _connectionError?: unknown;
  _queryable?: unknown;
  stream?: { destroyed?: unknown; readableEnded?: unknown };
  connection?: { stream?: { destroyed?: unknown; readableEnded?: unknown } };
}

/**
 * Whether the driver connection (mysql2 connection, pg client) has already seen the database close
 * it: its socket ended or was destroyed, or the driver marked it broken. Read just before COMMIT is
 * written; a few property reads, no allocation.
 */
export function connectionClosedByDatabase(driverConnection: unknown): boolean {
  if (typeof driverConnection !== 'object' || driverConnection === null) return false;
  const connection = driverConnection as DriverConnection;
  if (connection._fatalError || connection._closing === true || connection._ending === true) return true;
  if (connection._connectionError === true || connection._queryable === false) return true;
  const stream = connection.stream ?? connection.connection?.stream;
  return stream !== undefined && (stream.destroyed === true || stream.readableEnded === true);
}

/** Marks a COMMIT error as a known rollback (the connection was closed before the COMMIT was written). */
export function markRolledBackBeforeCommit(error: unknown): void {
  if (typeof error === 'object' && error !== null) rolledBackBeforeCommit.add(error);
}

/** A COMMIT that failed with the connection closed before it was written: nothing was stored. */
export function isRolledBackBeforeCommit(error: unknown): boolean {
  return typeof error === 'object' && error !== null && rolledBackBeforeCommit.has(error);
}

/** A COMMIT error after which nobody knows whether the changes were stored: the connection was lost with it in flight. */
export function isCommitOutcomeUnknown(error: unknown): boolean {
  return isConnectionError(error) && !isRolledBackBeforeCommit(error);
}

/** How a COMMIT failed, as the client is told: refused by the database, rolled back on a lost connection, or unknown. */
export type CommitFailure = 'refused' | 'rolledBack' | 'outcomeUnknown';

/** How a failed COMMIT is told to the client (commitFailedResponse). */
export function commitFailure(error: unknown): CommitFailure {
  if (!isConnectionError(error)) return 'refused';
  return isRolledBackBeforeCommit(error) ? 'rolledBack' : 'outcomeUnknown';
}
