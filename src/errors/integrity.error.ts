import { RepositoryError, type RepositoryErrorOptions } from './repository.error';

/** The database refused the data: NOT NULL, CHECK or another constraint (HTTP 422). */
export class IntegrityError extends RepositoryError {
  constructor(message = 'The supplied data violates a database constraint.', options?: RepositoryErrorOptions) {
    super(message, options);
  }
}
