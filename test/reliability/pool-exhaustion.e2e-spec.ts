import { getDataSourceToken } from 'nestjs-advanced-alchemy';
import {
  createTestDatabase,
  openProbe,
  testDatabaseKinds,
  type DatabaseProbe,
  type TestDatabase,
  poolState,
} from 'nestjs-advanced-alchemy/testing';
import { Agent } from 'node:http';
import type { DataSource } from 'typeorm';
import { send } from './fixtures/http-load';
import { recordFigure } from './fixtures/figures';
import { ROWS_TABLE } from './fixtures/reliability-row.entity';
import { startReliabilityApp, type ReliabilityApp } from './fixtures/start-reliability-app';

const POOL_TIMEOUT_MS = 1_000;
const EXTRA_REQUESTS = 5;
/** A waiting request answers once its permit wait times out; beyond this it counts as hung. */
const HANG_BOUND_MS = POOL_TIMEOUT_MS + 2_000;

// With every connection held by a slow request, the extra requests wait for poolTimeout, then
// answer 503 with Retry-After; none hangs; once the slow ones finish, every connection is back
// in the pool and the application serves at once. On SQLite the "pool" is the single connection.
describe.each(testDatabaseKinds())('pool exhaustion on %s', (kind) => {
  const poolSize = kind === 'sqlite' ? 1 : 3;
  let database: TestDatabase;
  let probe: DatabaseProbe;
  let started: ReliabilityApp;
  const agent = new Agent({ keepAlive: true });
  beforeAll(async () => {
    database = await createTestDatabase(kind, 'rel_pool_exhaustion');
    started = await startReliabilityApp({
      connectionString: database.connectionString,
      engineConfig: { poolTimeout: POOL_TIMEOUT_MS, ...(kind === 'sqlite' ? {} : { poolSize }) },
    });
    probe = await openProbe(database.connectionString);
  });
  afterAll(async () => {
    agent.destroy();
    await started?.stop();
    await probe?.close();
    await database?.drop();
  }, 30_000);

  it(`${poolSize} slow requests hold every connection: ${EXTRA_REQUESTS} more get 503 + Retry-After after poolTimeout`, async () => {
    const holders = Array.from({ length: poolSize }, () => send(started.url, 'POST', '/rel/slow', agent));
    await started.gate.whenHeld(poolSize); // every connection is taken, by a request that will not let go
    const extras = await Promise.all(
      Array.from({ length: EXTRA_REQUESTS }, () => send(started.url, 'POST', '/rel/slow', agent)),
    );
    // Requests that need no database are not held up by the full pool.
    expect((await send(started.url, 'GET', '/rel/ping', agent)).status).toBe(200);

    for (const extra of extras) {
      expect({ status: extra.status, retryAfter: extra.retryAfter }).toEqual({ status: 503, retryAfter: '1' });
      expect(JSON.parse(extra.body)).toEqual({
        statusCode: 503,
        error: 'Service Unavailable',
        message: expect.stringContaining(`Waited ${POOL_TIMEOUT_MS} ms for`),
      });
      const waited = extra.endedAt - extra.startedAt;
      expect(waited).toBeGreaterThanOrEqual(POOL_TIMEOUT_MS - 5); // it did wait for a connection…
      expect(waited).toBeLessThan(HANG_BOUND_MS); // …and no longer than poolTimeout
      expect(await probe.count(ROWS_TABLE, 'marker = ?', [extra.marker])).toBe(0);
    }
    expect(started.gate.held).toBe(poolSize); // none of the extras reached the handler's end
    const waits = extras.map((extra) => Math.round(extra.endedAt - extra.startedAt));
    recordFigure('pool-exhaustion', `${kind} 503 after (ms)`, `${Math.min(...waits)}–${Math.max(...waits)}`);

    started.gate.releaseAll();
    for (const holder of await Promise.all(holders)) {
      expect(holder.status).toBe(201);
      expect(await probe.count(ROWS_TABLE, 'marker = ?', [holder.marker])).toBe(1);
    }

    // No connection leaked: the pool has every connection idle and nobody waiting for one…
    const pool = poolState(started.app.get<DataSource>(getDataSourceToken()));
    if (pool) expect(pool).toEqual({ total: pool.total, idle: pool.total, waiting: 0 });
    // …and as many requests as there are connections, each holding one, are all served at once.
    const again = await Promise.all(
      Array.from({ length: poolSize }, () => send(started.url, 'POST', '/rel/slow', agent)),
    );
    expect(again.map((answer) => answer.status)).toEqual(Array(poolSize).fill(201));
  }, 30_000);
});
