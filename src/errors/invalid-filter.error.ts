import { RepositoryError } from './repository.error';

/**
 * A filter, ordering or match field named something the entity does not have, or carried a value
 * its column cannot hold. Raised before any SQL is built (HTTP 400).
 */
export class InvalidFilterError extends RepositoryError {}
