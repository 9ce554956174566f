import { RepositoryError } from './repository.error';

/**
 * A write based on a stale read: the row's `@VersionColumn` no longer holds the version the caller
 * had (someone else changed the row since). HTTP 409; read the row again and retry.
 */
export class ConflictError extends RepositoryError {
  constructor(
    message: string,
    /** The entity's name, e.g. `Loan`. */
    readonly entity: string,
  ) {
    super(message);
  }
}
