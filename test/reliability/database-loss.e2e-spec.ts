import { getDataSourceToken } from 'nestjs-advanced-alchemy';
import {
  createTestDatabase,
  openProbe,
  serverUrl,
  testDatabaseKinds,
  type DatabaseProbe,
  type TestDatabase,
  poolState,
} from 'nestjs-advanced-alchemy/testing';
import type { DataSource } from 'typeorm';
import { audit } from './fixtures/audit';
import { auditedTables, createDoomedCommitTables, doomedStatus } from './fixtures/doomed-commit';
import { isAcknowledged, send, startLoad, type Answer } from './fixtures/http-load';
import { recordFigure } from './fixtures/figures';
import { ROWS_TABLE } from './fixtures/reliability-row.entity';
import { startReliabilityApp, type ReliabilityApp } from './fixtures/start-reliability-app';
import { startTcpProxy, throughProxy, type TcpProxy } from './fixtures/tcp-proxy';
import { eachKind } from '../support/each-kind';

const POOL_TIMEOUT_MS = 1_000;
const CONNECT_TIMEOUT_MS = 1_000;
/**
 * The longest a request may take while the database is gone: waiting for a connection permit
 * (poolTimeout), then failing to connect (connect timeout; a refused connection fails at once),
 * plus a second of slack for a loaded CI machine. Anything longer counts as a hang.
 */
const FAIL_FAST_BOUND_MS = POOL_TIMEOUT_MS + CONNECT_TIMEOUT_MS + 1_000;
const ROUTES = ['ok', 'throw', 'ok', 'missing', 'ok', 'doomed'].map((route) => `/rel/${route}`);
const COMMIT_LOST = /connection was lost/;

const servers = testDatabaseKinds().filter((kind) => kind !== 'sqlite');

// When the database goes away, requests fail fast with 503 (no hang, never a 2xx); when it comes
// back, the same application serves again; and through it all no 2xx answer lacks its row. SQLite
// is a file inside the process: there is no connection to cut.
eachKind(servers)('database loss on %s', (kind) => {
  let database: TestDatabase;
  let probe: DatabaseProbe;
  let proxy: TcpProxy;
  let started: ReliabilityApp;
  const expectedStatus: Record<string, number> = {
    '/rel/ok': 201,
    '/rel/throw': 500,
    '/rel/missing': 404,
    '/rel/doomed': doomedStatus(kind),
  };

  beforeAll(async () => {
    database = await createTestDatabase(kind, 'rel_database_loss');
    probe = await openProbe(database.connectionString);
    await createDoomedCommitTables(probe);
    proxy = await startTcpProxy(Number(new URL(serverUrl(kind)).port || (kind === 'postgres' ? 5432 : 3306)));
    started = await startReliabilityApp({
      connectionString: throughProxy(database.connectionString, proxy),
      engineConfig: {
        poolSize: 8,
        poolTimeout: POOL_TIMEOUT_MS,
        connectArgs:
          kind === 'postgres'
            ? { connectionTimeoutMillis: CONNECT_TIMEOUT_MS }
            : { connectTimeout: CONNECT_TIMEOUT_MS },
      },
      kill: (id) => probe.query(`KILL CONNECTION ${id}`).then(() => undefined),
    });
  });
  afterAll(async () => {
    await started?.stop();
    await proxy?.close();
    await probe?.close();
    await database?.drop();
  }, 30_000);
  beforeEach(() => started.gate.reset());
  afterEach(() => proxy.restore());

  const expectPoolWhole = () => {
    const pool = poolState(started.app.get<DataSource>(getDataSourceToken()))!;
    expect(pool).toEqual({ total: pool.total, idle: pool.total, waiting: 0 });
  };
  const describeAnswer = (a: Answer) => `${a.route} ${a.status || a.error} ${a.body}`;

  it('cut during load: 503 at once while cut, served again after restore, no false acknowledgement', async () => {
    const load = startLoad({ base: started.url, concurrency: 16, routeOf: (i) => ROUTES[i % ROUTES.length] });
    let cutAt = 0;
    let restoredAt = 0;
    try {
      await load.until(200, () => true);
      cutAt = performance.now();
      await proxy.cut();
      await load.until(100, (answer) => answer.startedAt > cutAt);
      restoredAt = performance.now();
      await proxy.restore();
      await load.until(200, (answer) => answer.startedAt > restoredAt);
    } finally {
      await load.stop();
    }
    const answers = load.answers;

    // Started while cut: every one a 503 with Retry-After.
    const duringCut = answers.filter((a) => a.startedAt > cutAt && a.endedAt < restoredAt);
    expect(duringCut.length).toBeGreaterThanOrEqual(100);
    expect(duringCut.filter((a) => a.status !== 503 || a.retryAfter !== '1').map(describeAnswer)).toEqual([]);
    // Caught by the cut: a 5xx (or the 404 the route answers anyway), unless committed before it.
    const caught = answers.filter((a) => a.startedAt < cutAt && a.endedAt > cutAt && !isAcknowledged(a));
    expect(caught.filter((a) => a.status < 500 && a.route !== '/rel/missing').map(describeAnswer)).toEqual([]);
    // Nothing hung: the slowest request of the whole run stayed under the bound.
    const slowest = Math.max(...answers.map((a) => a.endedAt - a.startedAt));
    recordFigure(
      'database-loss',
      `${kind} requests / while cut / slowest (ms)`,
      `${answers.length} / ${duringCut.length} / ${Math.round(slowest)}`,
    );
    expect(slowest).toBeLessThan(FAIL_FAST_BOUND_MS);
    // After restore: the same application answers every request as it did before the cut.
    const afterRestore = answers.filter((a) => a.startedAt > restoredAt);
    expect(afterRestore.filter((a) => a.status !== expectedStatus[a.route]).map(describeAnswer)).toEqual([]);

    const found = await audit(probe, answers, auditedTables(kind));
    expect(found.acknowledgedButMissing).toEqual([]);
    expect(found.storedTwice).toEqual([]);
    // A COMMIT the database received just before the cut may have been applied, its answer lost:
    // such a request got a 503 "connection lost" yet its row is there. Only those may be stored
    // without a 2xx (the outcome of an in-flight COMMIT is unknowable to any client).
    const inDoubt = new Set(
      caught.filter((a) => a.route === '/rel/ok' && a.status === 503 && COMMIT_LOST.test(a.body)).map((a) => a.marker),
    );
    expect(found.storedButNotAcknowledged.filter((marker) => !inDoubt.has(marker))).toEqual([]);
    recordFigure(
      'database-loss',
      `${kind} caught by the cut / of which committed in doubt`,
      `${caught.length} / ${found.storedButNotAcknowledged.length}`,
    );
    expectPoolWhole();
  }, 60_000);

  it('connection lost between the handler and its COMMIT: 503 with Retry-After, row absent, served again', async () => {
    const answering = send(started.url, 'POST', '/rel/held');
    await started.gate.whenHeld(1); // the row is written, the handler has not returned yet
    await proxy.cut();
    started.gate.releaseAll();
    const answer = await answering;
    await proxy.restore();

    expect(answer.status).toBe(503);
    expect(answer.retryAfter).toBe('1');
    expect(JSON.parse(answer.body)).toEqual(
      expect.objectContaining({ statusCode: 503, message: expect.stringMatching(COMMIT_LOST) }),
    );
    expect(await probe.count(ROWS_TABLE, 'marker = ?', [answer.marker])).toBe(0);

    const next = await send(started.url, 'POST', '/rel/ok');
    expect(next.status).toBe(201);
    expect(await probe.count(ROWS_TABLE, 'marker = ?', [next.marker])).toBe(1);
    expectPoolWhole();
  }, 30_000);

  // When the connection drops after the database received the COMMIT, the database has committed:
  // the module cannot know the outcome, so its 503 must not claim the changes were not saved (a
  // client told "nothing was stored" would retry and write twice).
  it('connection lost while the COMMIT is in flight: the 503 does not claim the changes were not saved', async () => {
    const answering = send(started.url, 'POST', '/rel/held');
    await started.gate.whenHeld(1);
    const committing = proxy.cutAfterForwarding(/COMMIT/);
    started.gate.releaseAll();
    const answer = await answering;
    await committing; // the database has read the COMMIT and closed its end
    await proxy.restore();

    expect(answer.status).toBe(503);
    expect(await probe.count(ROWS_TABLE, 'marker = ?', [answer.marker])).toBe(1); // the database did commit
    expect(JSON.parse(answer.body).message).not.toMatch(/could not be saved|before the commit|nothing was stored/i);
  }, 30_000);
});
