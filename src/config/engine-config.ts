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
  /**
   * Milliseconds allowed to open one new connection (pg `connectionTimeoutMillis`, mysql2
   * `connectTimeout`). Not used on SQLite. Default: 10000.
   */
  connectTimeout?: number;
  /**
   * Milliseconds one statement may run (PostgreSQL `statement_timeout`, MariaDB
   * `max_statement_time`, MySQL `max_execution_time` for SELECTs). The module also stops waiting
   * for an answer 1000 ms after that, and drops the connection, in case the database went silent.
   * It fails with `StatementTimeoutError` (503). `0` turns both off. Not used on SQLite. Default: 30000.
   */
  statementTimeout?: number;
  /**
   * Check every connection with a round trip when a session takes it from the pool, and replace
   * it when it is dead (the seed's `pool_pre_ping`). Default: `false`; dead connections the
   * driver already knows of are replaced either way.
   */
  prePing?: boolean;
  /**
   * PostgreSQL only: the bind key connects through a transaction pooler (PgBouncer in
   * `pool_mode = transaction`), so nothing may outlive a transaction on a server connection: the
   * statement timeout is sent as `SET LOCAL` with each BEGIN instead of in the startup packet, and
   * migrations lock and lift timeouts per transaction. Default: detected when the pooler refuses
   * the `statement_timeout` startup parameter (PgBouncer does); `false` makes that refusal a
   * startup error. See docs/scaling.md.
   */
  transactionPooler?: boolean;
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
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000;
/**
 * How much longer than the statement timeout the module waits for an answer before it gives up on
 * the connection: long enough for the database's own timeout to answer first when it is alive.
 */
export const STATEMENT_DEADLINE_GRACE_MS = 1_000;

/** The statement timeout a bind key runs with (0 = none). */
export function statementTimeoutOf(engine: EngineConfig): number {
  return engine.statementTimeout ?? DEFAULT_STATEMENT_TIMEOUT_MS;
}
