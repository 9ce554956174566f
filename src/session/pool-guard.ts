import type { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';

/** What the guard needs to know of a bind key's pools. */
export interface PoolGuardOptions {
  bindKey: string;
  /** Check each connection with a round trip at checkout (the seed's `pool_pre_ping`). */
  prePing: boolean;
  /** How long a ping may take before the connection counts as dead (the connect timeout). */
  pingTimeoutMs: number;
  /** Server-side statement timeout to set on each new MySQL/MariaDB connection; 0 = none. */
  statementTimeoutMs: number;
  logger: Logger;
}

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

/** The `code` of the error a checkout fails with when every connection it was given was dead. */
export const CONNECTION_CLOSED_CODE = 'ALCHEMY_CONNECTION_CLOSED';

function connectionClosed(bindKey: string): Error {
  return Object.assign(new Error(`a connection of bind key "${bindKey}" was closed by the database`), {
    code: CONNECTION_CLOSED_CODE,
  });
}

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

type Delivery<Connection> = (
  error: Error | undefined,
  connection?: Connection,
  giveBack?: (reason?: Error) => void,
) => void;

/** What checking out differs in between the drivers: how to take, test and drop one connection. */
interface CheckoutDriver<Connection extends object> {
  /** Takes a connection from the driver's own pool; `giveBack(reason)` returns a dead one for good. */
  take(done: Delivery<Connection>): void;
  isDead(connection: Connection): boolean;
  ping(connection: Connection): Promise<unknown>;
  drop(connection: Connection): void;
  /** The most connections the pool holds: a checkout tries at most one more than that. */
  size: number;
}

/**
 * The checkout every session's connection goes through. A connection the driver knows is dead is
 * given back for good and another taken; a new one is handed out only after the socket read that
 * finished its handshake was handled (its errors arrive in it). With `prePing`, each connection
 * answers a ping first; when one does not, every connection made before that moment is suspect
 * (a database restart or a network drop takes them all, as SQLAlchemy's pre-ping assumes) and is
 * replaced without a ping of its own, so a checkout waits for at most one ping that gets no answer.
 */
class GuardedCheckout<Connection extends object> {
  readonly #fresh = new WeakSet<Connection>();
  readonly #madeAt = new WeakMap<Connection, number>();
  /** Connections made before this moment failed a ping, or may have. */
  #suspectBefore = 0;

  constructor(
    private readonly driver: CheckoutDriver<Connection>,
    private readonly options: PoolGuardOptions,
  ) {}

  /** Notes a connection the pool has just made. */
  made(connection: Connection): void {
    this.#fresh.add(connection);
    this.#madeAt.set(connection, performance.now());
  }

  checkout(deliver: Delivery<Connection>): void {
    const attempt = (tries: number): void => {
      this.driver.take((error, connection, giveBack) => {
        if (error || !connection || !giveBack) {
          deliver(error, connection, giveBack);
          return;
        }
        const retry = (reason: Error): void => {
          giveBack(reason);
          if (tries < this.driver.size + 1) attempt(tries + 1);
          else deliver(reason);
        };
        const fresh = this.#fresh.has(connection);
        const verify = (): void => {
          if (this.driver.isDead(connection) || (this.#madeAt.get(connection) ?? 0) < this.#suspectBefore) {
            retry(connectionClosed(this.options.bindKey));
            return;
          }
          // A connection that has just finished its handshake needs no ping.
          if (!this.options.prePing || fresh) {
            deliver(undefined, connection, giveBack);
            return;
          }
          const pingStarted = performance.now();
          pingWithin(
            this.options.pingTimeoutMs,
            () => this.driver.ping(connection),
            () => this.driver.drop(connection),
          ).then(
            () => deliver(undefined, connection, giveBack),
            (reason: Error) => {
              this.#suspectBefore = Math.max(this.#suspectBefore, pingStarted);
              retry(reason);
            },
          );
        };
        if (fresh) {
          this.#fresh.delete(connection);
          setImmediate(verify);
        } else {
          verify();
        }
      });
    };
    attempt(1);
  }
}

/** Runs `ping`; a ping that does not answer within `timeoutMs` fails and its connection is dropped. */
function pingWithin(timeoutMs: number, ping: () => Promise<unknown>, drop: () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      drop();
      reject(
        Object.assign(new Error(`the connection did not answer a ping within ${timeoutMs} ms`), {
          code: CONNECTION_CLOSED_CODE,
        }),
      );
    }, timeoutMs);
    ping().then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
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
