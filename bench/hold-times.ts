// Connection hold times of a bench server (`BENCH_HOLD_TIMES=1`): from the moment the pool hands a
// connection out to the moment it gets it back, whatever took it (a session, a transaction, a
// borrowed read). Measured at the drivers' pools, so every variant is measured the same way.
const holds: number[] = [];

interface Checkout {
  heldSince?: bigint;
}

const record = (connection: Checkout): void => {
  if (connection.heldSince === undefined) return;
  holds.push(Number(process.hrtime.bigint() - connection.heldSince) / 1000);
  connection.heldSince = undefined;
};

export function watchHoldTimes(): void {
  // The measurement wraps the drivers' own prototypes, so it needs their CommonJS module objects.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const PgPool = require('pg-pool') as { prototype: { emit(event: string, ...args: unknown[]): boolean } };
  const emit = PgPool.prototype.emit;
  PgPool.prototype.emit = function (this: unknown, event: string, ...args: unknown[]) {
    if (event === 'acquire') (args[0] as Checkout).heldSince = process.hrtime.bigint();
    else if (event === 'release') record(args[1] as Checkout);
    return emit.call(this, event, ...args);
  };
  // mysql2 hands a released connection straight to a waiter without an event: watch release() itself.
  type Callback = (error: unknown, connection?: Checkout & { release(): void }) => void;
  const MysqlPool = (require('mysql2') as { Pool: { prototype: { getConnection(cb: Callback): void } } }).Pool;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const getConnection = MysqlPool.prototype.getConnection;
  MysqlPool.prototype.getConnection = function (this: unknown, cb: Callback) {
    return getConnection.call(this, (error, connection) => {
      if (connection) {
        connection.heldSince = process.hrtime.bigint();
        if (!Object.prototype.hasOwnProperty.call(connection, 'release')) {
          const release = Object.getPrototypeOf(connection).release as () => void;
          connection.release = function (this: Checkout) {
            record(this);
            return release.call(this);
          };
        }
      }
      cb(error, connection);
    });
  };
}

/** Median and 90th percentile of the hold times since the last call, in microseconds. */
export function takeHoldTimes(): { count: number; medianMicros: number; p90Micros: number } {
  const sorted = holds.splice(0).sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { count: sorted.length, medianMicros: at(0.5), p90Micros: at(0.9) };
}
