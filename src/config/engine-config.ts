/** TypeORM's transaction isolation levels. */
export type IsolationLevel = 'READ UNCOMMITTED' | 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE';
export const ISOLATION_LEVELS: readonly IsolationLevel[] = [
  'READ UNCOMMITTED',
  'READ COMMITTED',
  'REPEATABLE READ',
  'SERIALIZABLE',
];

/** What TypeORM may log: `true` logs every query (the seed's `echo=True`). */
export type EchoOption = boolean | Array<'query' | 'error' | 'schema' | 'warn' | 'info' | 'log' | 'migration'>;

/** The seed's `EngineConfig`: how the bind key's connections are made and pooled. */
export interface EngineConfig {
  /** Log SQL (`true`) or only some kinds of message, e.g. `['error']`; the seed's `echo`. Default: nothing. */
  echo?: EchoOption;
  /** Connections kept in the pool (PostgreSQL, MySQL/MariaDB; SQLite has exactly one). Default: the driver's (10). */
  poolSize?: number;
  /**
   * Milliseconds a session waits for a connection before it fails with `SessionAcquireTimeoutError`.
   * On SQLite this is how long a session waits for the single connection. Default: 30000.
   */
  poolTimeout?: number;
  /** Seconds after which a pooled connection is replaced (PostgreSQL only). */
  poolRecycle?: number;
  /** Driver options passed through unchanged (TypeORM's `extra`), e.g. `{ statement_timeout: 5000 }` for pg. */
  connectArgs?: Record<string, unknown>;
  /** The isolation level of every transaction on this bind unless a session says otherwise. */
  isolationLevel?: IsolationLevel;
  /** Turns a JSON column's value into JSON text when it is written (default `JSON.stringify`). */
  jsonSerializer?: (value: unknown) => string;
  /** Turns a JSON column's text back into a value when it is read (default `JSON.parse`). */
  jsonDeserializer?: (text: string) => unknown;
}

export const DEFAULT_POOL_TIMEOUT_MS = 30_000;
