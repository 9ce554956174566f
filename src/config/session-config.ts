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
}
