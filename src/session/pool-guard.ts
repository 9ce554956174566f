import type { DataSource } from 'typeorm';
import { GuardedCheckout } from './guarded-checkout';
import type { PoolGuardOptions } from './pool-guard-options';

/** The parts of a pg `Pool` and `Client` the guard uses (pg 8, pg-pool 3). */
interface PgClient {
  on(event: 'error', listener: (error: Error) => void): unknown;
  query(sql: string): Promise<unknown>;
  connection?: { stream?: { destroy(): void } };
  _ending?: boolean;
  _queryable?: boolean;
}
type PgRelease = (error?: Error) => void;
type PgConnectCallback = (error: Error | undefined, client: PgClient | undefined, release: PgRelease) => void;
interface PgPool {
  on(event: 'connect', listener: (client: PgClient) => void): unknown;
  connect(callback?: PgConnectCallback): Promise<PgClient> | undefined;
  _clients?: PgClient[];
  options?: { max?: number };
}

/** The parts of a mysql2 `Pool` and `PoolConnection` the guard uses (mysql2 3). */
interface MysqlConnection {
  on(event: 'error', listener: (error: Error) => void): unknown;
  ping(callback: (error: Error | null) => void): void;
  query(sql: string, callback: (error: Error | null) => void): void;
  destroy(): void;
  _fatalError?: unknown;
  _closing?: boolean;
  _isMariaDB?: boolean;
  stream?: { destroyed?: boolean };
}
type MysqlGetConnectionCallback = (error: Error | null, connection?: MysqlConnection) => void;
interface MysqlPool {
  on(event: 'connection', listener: (connection: MysqlConnection) => void): unknown;
  getConnection(callback: MysqlGetConnectionCallback): void;
  _allConnections?: { length: number; get(index: number): MysqlConnection };
  config?: { connectionLimit?: number };
}

const guarded = new WeakSet<object>();

/**
 * Makes the driver's pools of a bind key safe against connections that die at any moment:
 *
 * - Every connection gets an `'error'` listener for its whole life, from the moment the pool
 *   makes it. pg-pool removes its own listener when it hands a client out, and TypeORM adds its
 *   listener only a promise turn later; when the database kills a connection right after the
 *   handshake, its error arrives in the same socket read, in between, and an `'error'` event
 *   with no listener ends the process. mysql2's pool listens with `once`, so a second error
 *   on a connection did the same.
 * - A connection the driver already knows is dead is replaced at checkout, and a new one is
 *   handed out only after the rest of the socket read that finished its handshake was handled.
 * - With `prePing`, every checkout pings the connection first and replaces it when the ping fails.
 */
export function guardDriverPools(dataSource: DataSource, options: PoolGuardOptions): void {
  const driver = dataSource.driver as unknown as {
    master?: PgPool;
    slaves?: PgPool[];
    pool?: MysqlPool;
  };
  const type = dataSource.options.type;
  if (type === 'postgres') {
    for (const pool of [driver.master, ...(driver.slaves ?? [])]) if (pool) guardPgPool(pool, options);
  } else if ((type === 'mysql' || type === 'mariadb') && driver.pool) {
    guardMysqlPool(driver.pool, options);
  }
}

/** Drops a driver connection at once (pg client or mysql2 connection): its pending statements fail. */
export function destroyDriverConnection(connection: unknown): void {
  if (typeof connection !== 'object' || connection === null) return;
  const pg = connection as PgClient;
  if (pg.connection?.stream) {
    pg.connection.stream.destroy();
    return;
  }
  const mysql = connection as Partial<MysqlConnection>;
  if (typeof mysql.destroy === 'function' && typeof mysql.ping === 'function') mysql.destroy();
}

function absorbErrors(connection: PgClient | MysqlConnection, options: PoolGuardOptions): void {
  if (guarded.has(connection)) return;
  guarded.add(connection);
  // Whoever uses the connection gets the error through its statement; this only keeps an error
  // nobody waits for from ending the process.
  connection.on('error', (error: Error) =>
    options.logger.debug(`A connection of bind key "${options.bindKey}" failed: ${error.message}`),
  );
}

function guardPgPool(pool: PgPool, options: PoolGuardOptions): void {
  if (guarded.has(pool)) return;
  guarded.add(pool);
  const connect = pool.connect.bind(pool);
  const guard = new GuardedCheckout<PgClient>(
    {
      // pg-pool's own release function: the guard gives a dead client back with it, a session's too.
      take: (done) => void connect((error, client, release) => done(error, client, client ? release : undefined)),
      isDead: (client) => client._ending === true || client._queryable === false,
      ping: (client) => client.query('SELECT 1'),
      drop: (client) => client.connection?.stream?.destroy(),
      size: pool.options?.max ?? 10,
    },
    options,
  );
  for (const client of pool._clients ?? []) absorbErrors(client, options);
  // 'connect' is emitted for a new client before pg-pool removes its idle listener.
  pool.on('connect', (client) => {
    absorbErrors(client, options);
    guard.made(client);
  });
  const checkout = (callback: PgConnectCallback): void =>
    guard.checkout((error, client, release) =>
      error || !client || !release ? callback(error, undefined, () => undefined) : callback(undefined, client, release),
    );
  pool.connect = (callback?: PgConnectCallback) => {
    if (callback) {
      checkout(callback);
      return undefined;
    }
    return new Promise<PgClient>((resolve, reject) =>
      checkout((error, client) => (error || !client ? reject(error) : resolve(client))),
    );
  };
}

function guardMysqlPool(pool: MysqlPool, options: PoolGuardOptions): void {
  if (guarded.has(pool)) return;
  guarded.add(pool);
  const getConnection = pool.getConnection.bind(pool);
  const guard = new GuardedCheckout<MysqlConnection>(
    {
      take: (done) =>
        getConnection((error, connection) =>
          done(error ?? undefined, connection, connection ? () => connection.destroy() : undefined),
        ),
      isDead: (connection) =>
        Boolean(connection._fatalError) || connection._closing === true || connection.stream?.destroyed === true,
      ping: (connection) => new Promise<void>((resolve, reject) => connection.ping((e) => (e ? reject(e) : resolve()))),
      drop: (connection) => connection.destroy(),
      size: pool.config?.connectionLimit ?? 10,
    },
    options,
  );
  const prepare = (connection: MysqlConnection): void => {
    absorbErrors(connection, options);
    if (options.statementTimeoutMs > 0) {
      // Queued before anything a session sends on this connection.
      connection.query(statementTimeoutSql(connection, options.statementTimeoutMs), (error) => {
        if (error) {
          options.logger.warn(
            `Could not set the statement timeout on a connection of bind key "${options.bindKey}": ${error.message}`,
          );
        }
      });
    }
  };
  const existing = pool._allConnections;
  for (let index = 0; existing && index < existing.length; index++) prepare(existing.get(index));
  pool.on('connection', (connection) => {
    prepare(connection);
    guard.made(connection);
  });
  pool.getConnection = (callback: MysqlGetConnectionCallback) =>
    guard.checkout((error, connection) => callback(error ?? null, connection));
}

/** MariaDB counts in seconds (`max_statement_time`); MySQL in milliseconds, for SELECTs only. */
export function statementTimeoutSql(connection: { _isMariaDB?: boolean } | undefined, timeoutMs: number): string {
  return connection?._isMariaDB === false
    ? `SET SESSION max_execution_time = ${Math.round(timeoutMs)}`
    : `SET SESSION max_statement_time = ${timeoutMs / 1000}`;
}
