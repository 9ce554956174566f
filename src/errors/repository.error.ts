import { AdvancedAlchemyError } from './advanced-alchemy.error';

export interface RepositoryErrorOptions extends ErrorOptions {
  /** What the database said, for logs; the exception filter never sends it to clients. */
  detail?: string;
}

/**
 * The base of every error the repository service throws. A database error that is not one of the
 * integrity errors arrives as a plain `RepositoryError` (HTTP 500 through `RepositoryExceptionFilter`).
 */
export class RepositoryError extends AdvancedAlchemyError {
  /** The database's own message (constraint, column, value), kept apart from the client-safe `message`. */
  readonly detail?: string;

  constructor(message: string, options: RepositoryErrorOptions = {}) {
    super(message, options);
    this.detail = options.detail;
  }
}
