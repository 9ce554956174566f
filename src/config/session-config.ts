import type { IsolationLevel } from './engine-config';

/** The seed's `SessionConfig`, reduced to what has a meaning on TypeORM (see docs/api.md for the rest). */
export interface SessionConfig {
  /**
   * Begin a transaction with the session's first statement (default `true`, like SQLAlchemy's
   * `autobegin`). With `false`, statements run in autocommit until `session.begin()`.
   */
  autoBegin?: boolean;
  /** Isolation level of the transactions this bind's sessions begin; overrides `engineConfig.isolationLevel`. */
  isolationLevel?: IsolationLevel;
  /**
   * With autoBegin, send BEGIN at the session's first statement that is not a plain read: plain
   * SELECTs before it run outside a transaction, and a scope that only reads sends no BEGIN or
   * COMMIT at all. Default: on where the transactions are READ COMMITTED (or READ UNCOMMITTED) —
   * PostgreSQL's default, where each statement takes a fresh snapshot inside a transaction too,
   * so the application cannot tell the difference; off under REPEATABLE READ (MariaDB's default)
   * and SERIALIZABLE, and on SQLite. `true` turns it on everywhere, `false` off (docs/sessions.md).
   */
  beginOnFirstWrite?: boolean;
  /** Initial contents of every new session's `info` object (user data carried with the session). */
  info?: Record<string, unknown>;
  /**
   * Take part in two-phase commit (default `false`): when a scope's sessions wrote on two or more
   * two-phase bind keys, they are prepared, then committed together (see docs/twophase.md).
   * PostgreSQL (with `max_prepared_transactions` > 0) and MariaDB/MySQL only.
   */
  twophase?: boolean;
  /**
   * This application's prefix of two-phase transaction ids (default `aa2pc`): recovery resolves only
   * prepared transactions whose id has it. Give every application sharing a server its own.
   */
  twophasePrefix?: string;
  /**
   * How long an instance's two-phase lease lasts without a heartbeat, in ms (default 10000; renewed
   * three times per lease). Recovery leaves alone the transactions of instances whose lease has not
   * expired; a crashed instance's are finished by another within this plus the recovery interval.
   */
  twophaseLeaseMs?: number;
  /** How often each instance looks for in-doubt transactions of expired instances, in ms (default 5000). */
  twophaseRecoveryIntervalMs?: number;
}
