import {
  createTestDatabase,
  openProbe,
  testDatabaseKinds,
  type DatabaseProbe,
  type TestDatabase,
} from 'nestjs-advanced-alchemy/testing';
import { setTimeout as sleep } from 'node:timers/promises';
import { audit } from './fixtures/audit';
import { startChildApp, type ChildApp } from './fixtures/child-process';
import { recordFigure } from './fixtures/figures';
import { outcome, send, startLoad, summary, type Answer } from './fixtures/http-load';
import { databaseName, killAllConnections, killFreshConnections, OUTCOME_UNKNOWN } from './fixtures/kill-backends';
import { ROWS_TABLE } from './fixtures/reliability-row.entity';
import { eachKind } from '../support/each-kind';

const STORM_MS = 6_000;
const KILL_FRESH_EVERY_MS = 2;
/**
 * "Fresh" on PostgreSQL: a backend younger than this. A new backend shows in pg_stat_activity only
 * once the client has sent its startup packet, which on a busy 2-core machine is ~100 ms after
 * backend_start: a narrower window would find none.
 */
const FRESH_MS = 300;
/** Every connection is killed this often too, so that the pool keeps opening new ones. */
const KILL_ALL_EVERY_MS = 250;
const CLIENTS = 30;
/** A small pool, so that killed connections are replaced, and new ones killed, all the time. */
const POOL_SIZE = 4;

const servers = testDatabaseKinds().filter((kind) => kind !== 'sqlite');

// Connections killed right after they were opened (by an operator, a failover, a connection
// reaper) must fail the requests on them, never the process: the application runs in a child
// process of its own, so a crash shows as that process exiting. Then it serves again, and no
// client was told a write was stored that is not, nor the reverse.
eachKind(servers)('fresh connections killed under load on %s', (kind) => {
  let database: TestDatabase;
  let probe: DatabaseProbe;
  let child: ChildApp | undefined;
  beforeAll(async () => {
    database = await createTestDatabase(kind, 'rel_fresh_kill');
    probe = await openProbe(database.connectionString);
  });
  afterAll(async () => {
    child?.kill();
    await probe?.close();
    await database?.drop();
  }, 30_000);

  it('the process stays up, answers 201 or 503 throughout, serves again after, and the audit holds', async () => {
    child = await startChildApp(database.connectionString, { engineConfig: { poolSize: POOL_SIZE } });
    const load = startLoad({ base: child.url, concurrency: CLIENTS, routeOf: () => '/rows' });
    let killed = 0;
    let killedEstablished = 0;
    let answers: Answer[];
    try {
      await load.until(100, () => true);
      const name = databaseName(database.connectionString);
      const state = { newestSeen: 0 };
      const stormEnds = performance.now() + STORM_MS;
      let nextKillAll = 0;
      while (performance.now() < stormEnds && child.isAlive()) {
        if (performance.now() >= nextKillAll) {
          killedEstablished += await killAllConnections(probe, name);
          nextKillAll = performance.now() + KILL_ALL_EVERY_MS;
        }
        killed += await killFreshConnections(probe, name, state, FRESH_MS);
        await sleep(KILL_FRESH_EVERY_MS);
      }
    } finally {
      answers = await load.stop();
    }
    recordFigure(
      'fresh-connection-kill',
      `${kind} requests / fresh connections killed / all killed`,
      `${answers.length} / ${killed} / ${killedEstablished}`,
    );

    expect({ alive: child.isAlive(), stderr: child.stderr().slice(-2_000) }).toEqual({
      alive: true,
      stderr: expect.any(String),
    });
    // A storm that killed nothing would prove nothing.
    expect(killed).toBeGreaterThanOrEqual(20);
    // A lost connection is a 503 the client may retry, never a 500 or a dropped request.
    const unexpected = new Set(answers.filter((a) => a.status !== 201 && a.status !== 503).map(summary));
    expect([...unexpected]).toEqual([]);
    expect(answers.filter((a) => a.status === 503 && a.retryAfter !== '1').map((a) => a.body)).toEqual([]);
    expect(answers.filter((a) => a.status === 201).length).toBeGreaterThan(0);

    const found = await audit(probe, answers);
    expect(found.acknowledgedButMissing).toEqual([]);
    expect(found.storedTwice).toEqual([]);
    // Only a COMMIT in flight when its connection died may be stored without a 2xx, and its 503 says so.
    const inDoubt = new Set(answers.filter((a) => OUTCOME_UNKNOWN.test(a.body)).map((a) => a.marker));
    expect(found.storedButNotAcknowledged.filter((marker) => !inDoubt.has(marker))).toEqual([]);

    // The same process serves again, with connections of its own.
    await sleep(500);
    const after: Answer[] = [];
    for (let i = 0; i < 20; i++) after.push(await send(child.url, 'POST', '/rows'));
    expect(after.map(outcome)).toEqual(after.map(() => '201'));
    for (const answer of after) expect(await probe.count(ROWS_TABLE, 'marker = ?', [answer.marker])).toBe(1);
    expect(child.isAlive()).toBe(true);
  }, 60_000);
});
