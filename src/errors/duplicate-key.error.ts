import { IntegrityError } from './integrity.error';
import type { RepositoryErrorOptions } from './repository.error';

/** A unique or primary-key constraint was violated (HTTP 409). */
export class DuplicateKeyError extends IntegrityError {
  constructor(message = 'A record matching the supplied data already exists.', options?: RepositoryErrorOptions) {
    super(message, options);
  }
}
