import { isConnectionError } from '../errors/connection-errors';
import { markRolledBackBeforeCommit } from '../errors/commit-outcome';
import { DatabaseUnavailableError } from '../errors/database-unavailable.error';

/**
 * The error of a COMMIT whose connection the database had closed before the COMMIT was written
 * (a backend killed while idle in its transaction): a known rollback, not an unknown outcome.
 * A failure that is not a lost connection (the database answered) is returned unchanged.
 */
export function rolledBackBeforeCommit(bindKey: string, failure: unknown): unknown {
  if (!isConnectionError(failure)) return failure;
  const error = new DatabaseUnavailableError(
    `The database closed the connection of bind key "${bindKey}" before its COMMIT was sent: the transaction ` +
      'was rolled back and nothing was stored. Retry the request.',
    { cause: failure },
  );
  markRolledBackBeforeCommit(error);
  return error;
}
