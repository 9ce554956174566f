import { CONNECTION_CLOSED_CODE } from '../errors/connection-errors';
import type { PoolGuardOptions } from './pool-guard-options';

/** A checkout's error when every connection it was given was dead (its `code` is `CONNECTION_CLOSED_CODE`). */
export function connectionClosed(bindKey: string): Error {
  return Object.assign(new Error(`a connection of bind key "${bindKey}" was closed by the database`), {
    code: CONNECTION_CLOSED_CODE,
  });
}

export type Delivery<Connection> = (
  error: Error | undefined,
  connection?: Connection,
  giveBack?: (reason?: Error) => void,
) => void;

/** What checking out differs in between the drivers: how to take, test and drop one connection. */
export interface CheckoutDriver<Connection extends object> {
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
export class GuardedCheckout<Connection extends object> {
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
