import { DatabaseUnavailableError } from './database-unavailable.error';

/**
 * A statement ran past the bind key's `statementTimeout`, or the database stopped answering
 * (its connection is then dropped). The transaction is rolled back; the module answers 503 with
 * `Retry-After`, as for any database that cannot serve the request now.
 */
export class StatementTimeoutError extends DatabaseUnavailableError {}
