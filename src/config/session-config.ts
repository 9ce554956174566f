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
  /** Initial contents of every new session's `info` object (user data carried with the session). */
  info?: Record<string, unknown>;
}
