import { IntegrityError } from './integrity.error';
import type { RepositoryErrorOptions } from './repository.error';

/** A foreign key was violated: the referenced row is missing, or the row is still referenced (HTTP 409). */
export class ForeignKeyError extends IntegrityError {
  constructor(
    message = 'The record refers to a record that does not exist, or is still referred to by another record.',
    options?: RepositoryErrorOptions,
  ) {
    super(message, options);
  }
}
