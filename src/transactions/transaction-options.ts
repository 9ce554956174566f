import { ISOLATION_LEVELS, type IsolationLevel } from '../config/engine-config';
import { ImproperConfigurationError } from '../errors/improper-configuration.error';
import { PROPAGATIONS, type Propagation } from './propagation';

/** Reruns of a unit that owns its transaction, when the database gave it up for a conflict. */
export interface RetryOptions {
  /** How many times the unit runs at most (the first run included); at least 1. */
  attempts: number;
  /** Wait before the n-th rerun: `backoffMs × n` milliseconds (default 0). */
  backoffMs?: number;
}

/** Options of `@Transactional()`, `session.transaction()` and `advancedAlchemy.transaction()`. */
export interface TransactionOptions {
  /** The bind key whose session the unit works in (default: the only one, or `default`). */
  bindKey?: string;
  /** Default `REQUIRED`. */
  propagation?: Propagation;
  /** For a unit that begins its transaction; a joining unit may only repeat the transaction's level. */
  isolationLevel?: IsolationLevel;
  /** Begins the transaction read-only: a write fails with `ReadOnlyTransactionError`. */
  readOnly?: boolean;
  /** Reruns on a serialization failure, deadlock or lock wait timeout (units that own their transaction). */
  retry?: RetryOptions;
}

/** The options with their defaults, checked. */
export interface UnitOptions {
  propagation: Propagation;
  isolationLevel?: IsolationLevel;
  readOnly?: boolean;
  attempts: number;
  backoffMs: number;
}

/** Checks options once (a decorator checks them where it is applied, at startup). */
export function unitOptions(options: TransactionOptions): UnitOptions {
  const propagation = options.propagation ?? 'REQUIRED';
  if (!PROPAGATIONS.includes(propagation)) {
    throw new ImproperConfigurationError(
      `Unknown transaction propagation "${String(propagation)}": use one of ${PROPAGATIONS.join(', ')}.`,
    );
  }
  if (options.isolationLevel !== undefined && !ISOLATION_LEVELS.includes(options.isolationLevel)) {
    throw new ImproperConfigurationError(
      `Unknown isolation level "${String(options.isolationLevel)}": use one of ${ISOLATION_LEVELS.join(', ')}.`,
    );
  }
  const attempts = options.retry?.attempts ?? 1;
  const backoffMs = options.retry?.backoffMs ?? 0;
  if (!Number.isInteger(attempts) || attempts < 1) {
    throw new ImproperConfigurationError(`retry.attempts must be a whole number of runs, 1 or more (got ${attempts}).`);
  }
  if (!Number.isFinite(backoffMs) || backoffMs < 0) {
    throw new ImproperConfigurationError(`retry.backoffMs must be 0 or more milliseconds (got ${backoffMs}).`);
  }
  return { propagation, isolationLevel: options.isolationLevel, readOnly: options.readOnly, attempts, backoffMs };
}
