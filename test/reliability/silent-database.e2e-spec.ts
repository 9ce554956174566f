import { getDataSourceToken, type AlchemyConfigOptions } from 'nestjs-advanced-alchemy';
import {
  createTestDatabase,
  openProbe,
  poolState,
  serverUrl,
  testDatabaseKinds,
  type DatabaseProbe,
  type TestDatabase,
  type TestDatabaseKind,
} from 'nestjs-advanced-alchemy/testing';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource } from 'typeorm';
import { audit } from './fixtures/audit';
import { recordFigure } from './fixtures/figures';
import { isAcknowledged, send, startLoad, summary, type Answer } from './fixtures/http-load';
import { OUTCOME_UNKNOWN } from './fixtures/kill-backends';
import { ROWS_TABLE } from './fixtures/reliability-row.entity';
import { startReliabilityApp, type ReliabilityApp } from './fixtures/start-reliability-app';
import { startTcpProxy, throughProxy, type TcpProxy } from './fixtures/tcp-proxy';
import { waitUntil } from './fixtures/wait-until';
import { eachKind } from '../support/each-kind';

/** How much longer than its statement timeout the module waits for a silent socket (docs/configuration.md). */
const DEADLINE_GRACE_MS = 1_000;
/** Slack for a loaded 2-core machine on every time bound below. */
const SLACK_MS = 1_500;

const TIGHT = { poolTimeout: 1_000, connectTimeout: 1_000, statementTimeout: 1_000 };
/**
 * The longest a request may wait on a silent database with the tight settings: for a connection
 * permit, then to open a connection, then for a statement's answer until the module's deadline.
 */
const TIGHT_BOUND_MS = TIGHT.poolTimeout + TIGHT.connectTimeout + TIGHT.statementTimeout + DEADLINE_GRACE_MS + SLACK_MS;
const SILENCE_MS = 6_000;
/** "Served again at once": the first 2xx after the database answers again. */
const RECOVERY_BOUND_MS = 2_500;

/** The defaults of docs/configuration.md, with no engineConfig at all. */
const DEFAULTS = { poolTimeout: 30_000, connectTimeout: 10_000, statementTimeout: 30_000 };
/**
 * With fewer requests than the pool has connections (10) none waits for a permit: each either
 * opens a connection (connectTimeout) or waits on an open one until the statement deadline.
 */
const DEFAULT_BOUND_MS = Math.max(DEFAULTS.connectTimeout, DEFAULTS.statementTimeout + DEADLINE_GRACE_MS) + 3_000;
const DEFAULT_SILENT_REQUESTS = 4;

const servers = testDatabaseKinds().filter((kind) => kind !== 'sqlite');

function serverPort(kind: Exclude<TestDatabaseKind, 'sqlite'>): number {
  return Number(new URL(serverUrl(kind)).port || (kind === 'postgres' ? 5432 : 3306));
}

/** What the default-timeouts test of one kind saw, and a probe on its database for the row counts. */
interface DefaultsRun {
  warm: number[][];
  silent: Answer[];
  after: Answer;
  restoredAt: number;
  probe: DatabaseProbe;
}

/** Databases and probes of the default-timeouts runs, closed and dropped after the file. */
const defaultsResources: Array<() => Promise<unknown>> = [];

/**
 * The default-timeouts scenario of one kind, on a database, proxy and application of its own: warm
 * connections, silence, requests that wait out the 30 s defaults, restore, one more request. It
 * waits on timers, not on the CPU, so every kind's run starts with the file and the tight-timeout
 * tests run meanwhile; each kind's test then checks what its run saw. Resolves (never rejects) with
 * the run or the error that ended it.
 */
async function runWithDefaults(kind: Exclude<TestDatabaseKind, 'sqlite'>): Promise<DefaultsRun | { error: unknown }> {
  let proxy: TcpProxy | undefined;
  let started: ReliabilityApp | undefined;
  try {
    const database = await createTestDatabase(kind, 'rel_silent_defaults');
    defaultsResources.push(() => database.drop());
    const probe = await openProbe(database.connectionString);
    defaultsResources.unshift(() => probe.close());
    proxy = await startTcpProxy(serverPort(kind));
    started = await startReliabilityApp({
      connectionString: throughProxy(database.connectionString, proxy),
      engineConfig: undefined,
    });
    const { url } = started;
    // Open connections first, so that requests meet both open connections and new ones.
    const warm: number[][] = [];
    for (let round = 0; round < 2; round++) {
      const answers = await Promise.all(Array.from({ length: 3 }, () => send(url, 'POST', '/rel/ok')));
      warm.push(answers.map((a) => a.status));
    }
    proxy.silence();
    const silent = await Promise.all(
      Array.from({ length: DEFAULT_SILENT_REQUESTS }, () =>
        send(url, 'POST', '/rel/ok', undefined, undefined, DEFAULT_BOUND_MS + 5_000),
      ),
    );
    const restoredAt = performance.now();
    await proxy.restore();
    const after = await send(url, 'POST', '/rel/ok');
    return { warm, silent, after, restoredAt, probe };
  } catch (error) {
    return { error };
  } finally {
    await proxy?.restore();
    await started?.stop().catch(() => undefined);
    await proxy?.close();
  }
}

const defaultsRuns = new Map<TestDatabaseKind, Promise<DefaultsRun | { error: unknown }>>();
beforeAll(() => {
  for (const kind of servers) defaultsRuns.set(kind, runWithDefaults(kind));
});
afterAll(async () => {
  await Promise.all(defaultsRuns.values());
  for (const release of defaultsResources) await release().catch(() => undefined);
}, 60_000);

// A database that stops answering without closing anything (a hung host, a firewall dropping
// packets, a stopped VM) must not hang requests: each gets a 503 with Retry-After within the bound
// its timeouts add up to, on connections already open and on new ones; once the database answers
// again the same application serves at once, and no client was told a write was stored that is not.
eachKind(servers)('a silent database on %s', (kind) => {
  let database: TestDatabase;
  let probe: DatabaseProbe;
  let proxy: TcpProxy;
  let started: ReliabilityApp | undefined;
  const startThroughProxy = async (engineConfig: AlchemyConfigOptions['engineConfig']) => {
    started = await startReliabilityApp({
      connectionString: throughProxy(database.connectionString, proxy),
      engineConfig,
    });
    return started;
  };

  beforeAll(async () => {
    database = await createTestDatabase(kind, 'rel_silent_database');
    probe = await openProbe(database.connectionString);
  });
  beforeEach(async () => {
    proxy = await startTcpProxy(serverPort(kind));
  });
  afterEach(async () => {
    await proxy.restore();
    await started?.stop();
    started = undefined;
    await proxy.close();
  }, 30_000);
  afterAll(async () => {
    await probe?.close();
    await database?.drop();
  }, 30_000);

  it('tight timeouts: every request answered within the bound, 503 while silent, 2xx at once after', async () => {
    const { app, url } = await startThroughProxy({ poolSize: 4, ...TIGHT });
    const load = startLoad({ base: url, concurrency: 6, routeOf: () => '/rel/ok' });
    let silencedAt = 0;
    let restoredAt = 0;
    try {
      await load.until(50, () => true);
      silencedAt = performance.now();
      proxy.silence();
      await sleep(SILENCE_MS);
      restoredAt = performance.now();
      await proxy.restore();
      await load.until(50, (answer) => answer.startedAt > restoredAt && isAcknowledged(answer));
    } finally {
      await load.stop();
    }
    const answers = load.answers;

    // No request without an answer, none past the bound.
    expect(answers.filter((a) => a.status === 0).map(summary)).toEqual([]);
    const slowest = Math.max(...answers.map((a) => a.endedAt - a.startedAt));
    expect(slowest).toBeLessThan(TIGHT_BOUND_MS);
    // While silent: 503 with Retry-After, the transaction rolled back.
    const whileSilent = answers.filter((a) => a.startedAt > silencedAt && a.endedAt < restoredAt);
    expect(whileSilent.length).toBeGreaterThanOrEqual(6);
    expect(whileSilent.filter((a) => a.status !== 503 || a.retryAfter !== '1').map(summary)).toEqual([]);
    // Served again at once, and from then on.
    const firstServed = Math.min(
      ...answers.filter((a) => a.endedAt > restoredAt && isAcknowledged(a)).map((a) => a.endedAt),
    );
    recordFigure(
      'silent-database',
      `${kind} tight: requests / while silent / slowest (ms) / first 2xx after restore (ms)`,
      `${answers.length} / ${whileSilent.length} / ${Math.round(slowest)} / ${Math.round(firstServed - restoredAt)}`,
    );
    expect(firstServed - restoredAt).toBeLessThan(RECOVERY_BOUND_MS);
    const settled = answers.filter((a) => a.startedAt > restoredAt + TIGHT_BOUND_MS);
    expect(settled.filter((a) => a.status !== 201).map(summary)).toEqual([]);

    const found = await audit(probe, answers);
    expect(found.acknowledgedButMissing).toEqual([]);
    expect(found.storedTwice).toEqual([]);
    // A COMMIT the database received before it went silent may have been applied, its answer held
    // back: only such a request, told the outcome is unknown, may be stored without a 2xx.
    const inDoubt = new Set(answers.filter((a) => OUTCOME_UNKNOWN.test(a.body)).map((a) => a.marker));
    expect(found.storedButNotAcknowledged.filter((marker) => !inDoubt.has(marker))).toEqual([]);

    // The pool is whole: every connection given back, nobody waiting.
    const dataSource = app.get<DataSource>(getDataSourceToken());
    const whole = () => {
      const pool = poolState(dataSource)!;
      return pool.idle === pool.total && pool.waiting === 0;
    };
    await waitUntil(whole, 5_000);
    const pool = poolState(dataSource)!;
    expect(pool).toEqual({ total: pool.total, idle: pool.total, waiting: 0 });
  }, 60_000);

  it('default timeouts: requests on a silent database are answered 503 within the defaults, then served', async () => {
    const run = await defaultsRuns.get(kind);
    if (!run || 'error' in run) throw run?.error ?? new Error(`no default-timeouts run on ${kind}`);
    const { warm, silent, after, restoredAt, probe: defaultsProbe } = run;
    expect(warm).toEqual([
      [201, 201, 201],
      [201, 201, 201],
    ]);

    const slowest = Math.max(...silent.map((a) => a.endedAt - a.startedAt));
    recordFigure(
      'silent-database',
      `${kind} defaults: slowest while silent (ms) / first request after restore (ms)`,
      `${Math.round(slowest)} / ${Math.round(after.endedAt - restoredAt)}`,
    );
    expect(silent.filter((a) => a.status !== 503 || a.retryAfter !== '1').map(summary)).toEqual([]);
    expect(slowest).toBeLessThan(DEFAULT_BOUND_MS);
    for (const answer of silent) expect(await defaultsProbe.count(ROWS_TABLE, 'marker = ?', [answer.marker])).toBe(0);
    expect(after.status).toBe(201);
    expect(after.endedAt - restoredAt).toBeLessThan(RECOVERY_BOUND_MS);
    expect(await defaultsProbe.count(ROWS_TABLE, 'marker = ?', [after.marker])).toBe(1);
  }, 60_000);
});
