import {
  createTestDatabase,
  openProbe,
  testDatabaseKinds,
  type DatabaseProbe,
  type TestDatabase,
} from 'nestjs-advanced-alchemy/testing';
import { setTimeout as sleep } from 'node:timers/promises';
import { audit, CLEAN_AUDIT } from './fixtures/audit';
import { startChildApp, type ChildApp } from './fixtures/child-process';
import { recordFigure } from './fixtures/figures';
import { outcome, send, startLoad, summary, type Answer } from './fixtures/http-load';
import { ROWS_TABLE } from './fixtures/reliability-row.entity';

const SHUTDOWN_TIMEOUT_MS = 3_000;
/** Beyond shutdownTimeout: closing the pools and the process itself, on a loaded 2-core machine. */
const EXIT_SLACK_MS = 2_000;
const CLIENTS = 8;
/** What a client sees from a server that stopped taking requests on a connection. */
const NOT_SERVED = /^(ECONNREFUSED|ECONNRESET|EPIPE|socket hang up)$/;

// An orchestrator sends SIGTERM and, after its grace period, SIGKILL: the application must finish
// by itself, within shutdownTimeout, even while clients keep sending on their keep-alive
// connections (a load balancer does not stop at once). What it answered after SIGTERM tells the
// client to go elsewhere (Connection: close), and every session is committed or rolled back.
describe.each(testDatabaseKinds())('SIGTERM under keep-alive load on %s', (kind) => {
  let database: TestDatabase;
  let probe: DatabaseProbe;
  const children: ChildApp[] = [];
  const startChild = async () => {
    const child = await startChildApp(database.connectionString, {
      shutdownHooks: true,
      shutdownTimeout: SHUTDOWN_TIMEOUT_MS,
    });
    children.push(child);
    // Opened once the application has made its tables (on SQLite: its database file).
    probe ??= await openProbe(database.connectionString);
    return child;
  };
  const exitOrTimeout = (child: ChildApp) =>
    Promise.race([child.ended, sleep(SHUTDOWN_TIMEOUT_MS + EXIT_SLACK_MS + 5_000, 'still running', { ref: false })]);
  beforeAll(async () => {
    database = await createTestDatabase(kind, 'rel_sigterm');
  });
  afterAll(async () => {
    for (const child of children) child.kill();
    await probe?.close();
    await database?.drop();
  }, 30_000);

  it('the process exits within shutdownTimeout while clients keep sending; no lie, no hang', async () => {
    const child = await startChild();
    const load = startLoad({ base: child.url, concurrency: CLIENTS, routeOf: () => '/rows' });
    let sentAt: number;
    let shutdownBegan = 0;
    let exit: Awaited<ChildApp['ended']> | string;
    let exitedAt: number;
    let answers: Answer[];
    try {
      await load.until(300, () => true);
      sentAt = performance.now();
      shutdownBegan = await child.sigterm();
      // The clients go on sending meanwhile.
      exit = await exitOrTimeout(child);
      exitedAt = performance.now();
    } finally {
      answers = await load.stop();
    }

    const late = answers.filter((a) => a.startedAt > shutdownBegan);
    const servedLate = late.filter((a) => a.status !== 0);
    recordFigure(
      'sigterm-under-load',
      `${kind} requests / started after SIGTERM / of which answered / exit after SIGTERM (ms)`,
      `${answers.length} / ${late.length} / ${servedLate.length} / ${Math.round(exitedAt - sentAt)}`,
    );
    // Ended by itself, cleanly: Nest re-raises SIGTERM once shut down (or exits 0 with useProcessExit).
    expect([
      { code: 0, signal: null },
      { code: null, signal: 'SIGTERM' },
    ]).toContainEqual(exit);
    expect(exitedAt - sentAt).toBeLessThan(SHUTDOWN_TIMEOUT_MS + EXIT_SLACK_MS);

    // After SIGTERM, each answer closes its connection, or the request was not taken at all.
    expect(servedLate.filter((a) => a.connection !== 'close').map(summary)).toEqual([]);
    expect(late.filter((a) => a.status === 0 && !NOT_SERVED.test(outcome(a))).map(summary)).toEqual([]);
    expect(answers.filter((a) => a.status !== 0 && a.status !== 201 && a.status !== 503).map(summary)).toEqual([]);

    // Every 2xx row stored, no row without a 2xx.
    expect(await audit(probe, answers)).toEqual(CLEAN_AUDIT);
  }, 30_000);

  // A handler still running when shutdownTimeout is up is not waited for: its connection is cut,
  // its session rolled back, and the process exits on time.
  it('a request still running at shutdownTimeout is cut and rolled back; the process exits on time', async () => {
    const child = await startChild();
    const held = child.nextMessage('held');
    const slow = send(child.url, 'POST', '/rows/slow');
    await held; // its row is written, not committed
    const sentAt = performance.now();
    await child.sigterm();
    const exit = await exitOrTimeout(child);
    const exitedAt = performance.now();
    const answer = await slow;
    recordFigure(
      'sigterm-under-load',
      `${kind} request held past shutdownTimeout: exit after SIGTERM (ms)`,
      Math.round(exitedAt - sentAt),
    );

    expect([
      { code: 0, signal: null },
      { code: null, signal: 'SIGTERM' },
    ]).toContainEqual(exit);
    expect(exitedAt - sentAt).toBeLessThan(SHUTDOWN_TIMEOUT_MS + EXIT_SLACK_MS);
    // The request was not served, and nothing of it is stored.
    expect(outcome(answer)).toMatch(/^(503|ECONNRESET|EPIPE|socket hang up)$/);
    expect(await probe.count(ROWS_TABLE, 'marker = ?', [answer.marker])).toBe(0);
  }, 30_000);
});
