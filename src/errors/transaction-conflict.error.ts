import { DatabaseUnavailableError } from './database-unavailable.error';

/**
 * The database gave up a transaction because of concurrent ones: a serialization failure
 * (PostgreSQL 40001), a deadlock (PostgreSQL 40P01, MySQL/MariaDB 1213) or a lock wait timeout
 * (MySQL/MariaDB 1205). Units that own their transaction rerun on it (`retry`); when it ends a
 * request, the module answers 503 with `Retry-After`: repeating the request is safe.
 */
export class TransactionConflictError extends DatabaseUnavailableError {}
