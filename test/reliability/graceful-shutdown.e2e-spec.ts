import { AdvancedAlchemy, DatabaseUnavailableError } from 'nestjs-advanced-alchemy';
import {
  createTestDatabase,
  openProbe,
  testDatabaseKinds,
  type DatabaseProbe,
  type TestDatabase,
} from 'nestjs-advanced-alchemy/testing';
import { randomUUID } from 'node:crypto';
import { Agent, type Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { audit, CLEAN_AUDIT } from './fixtures/audit';
import { startChildApp } from './fixtures/child-process';
import { outcome, send, startLoad } from './fixtures/http-load';
import { ReliabilityRow, ROWS_TABLE } from './fixtures/reliability-row.entity';
import { startReliabilityApp } from './fixtures/start-reliability-app';
import { waitUntil } from './fixtures/wait-until';

const IN_FLIGHT = ['/rel/held', '/rel/held-throw', '/rel/held', '/rel/held-throw', '/rel/held', '/rel/held-throw'];

// app.close() while requests are in flight: they finish, committed (2xx) or rolled back (5xx);
// requests that come after are refused; the pools are closed; nothing is left to hang the process.
describe.each(testDatabaseKinds())('graceful shutdown on %s', (kind) => {
  let database: TestDatabase;
  let probe: DatabaseProbe;
  beforeAll(async () => {
    database = await createTestDatabase(kind, 'rel_graceful_shutdown');
  });
  afterAll(async () => {
    await probe?.close();
    await database?.drop();
  });

  it('in-flight requests finish and commit or roll back, new ones are refused, pools close', async () => {
    const { app, url, gate } = await startReliabilityApp({ connectionString: database.connectionString });
    probe ??= await openProbe(database.connectionString);
    const dataSource = app.get(AdvancedAlchemy).getDataSource();
    // The driver's pools, kept to look at after the DataSource has let go of them.
    const driver = dataSource.driver as unknown as { master?: { ended: boolean }; pool?: { _closed: boolean } };
    const pgPool = driver.master;
    const mysqlPool = driver.pool;
    const agent = new Agent({ keepAlive: true });

    // Requests in flight: every handler has started (on SQLite all but one wait for the connection).
    const inFlight = IN_FLIGHT.map((route) => send(url, 'POST', route, agent));
    await gate.whenEntered(IN_FLIGHT.length);
    const closing = app.close();
    const server = app.getHttpServer() as Server;
    await waitUntil(() => !server.listening);

    // New requests, on new connections: refused, or answered 503 (never served).
    const late = await Promise.all(Array.from({ length: 5 }, () => send(url, 'POST', '/rel/ok')));
    for (const answer of late) {
      expect(outcome(answer)).toMatch(/^(ECONNREFUSED|503)$/);
    }

    gate.releaseAll();
    const answers = await Promise.all(inFlight);
    // The client lets go of its keep-alive connections (Node's server would otherwise keep them
    // for keepAliveTimeout, 5 s, before app.close() can finish).
    agent.destroy();
    await closing;

    for (const answer of answers) {
      const committed = answer.route === '/rel/held';
      expect(answer.status).toBe(committed ? 201 : 500);
      expect(await probe.count(ROWS_TABLE, 'marker = ?', [answer.marker])).toBe(committed ? 1 : 0);
    }
    for (const answer of late) expect(await probe.count(ROWS_TABLE, 'marker = ?', [answer.marker])).toBe(0);
    // The pools are closed, the server is gone: nothing keeps the process alive.
    expect(dataSource.isInitialized).toBe(false);
    if (kind === 'postgres') expect(pgPool?.ended).toBe(true);
    if (kind === 'mariadb') expect(mysqlPool?._closed).toBe(true);
    expect((await send(url, 'POST', '/rel/ok')).error).toBe('ECONNREFUSED');
  }, 30_000);

  // Nest closes the HTTP server before the module's shutdown hook, so by then requests are done;
  // work outside HTTP (withSession, message handlers) is what the module's own drain waits for.
  it('work outside HTTP in flight at shutdown commits; new sessions are refused with a 503-class error', async () => {
    const { app, gate } = await startReliabilityApp({ connectionString: database.connectionString });
    probe ??= await openProbe(database.connectionString);
    const alchemy = app.get(AdvancedAlchemy);
    const marker = randomUUID();
    const work = alchemy.withSession(async (session) => {
      await session.getRepository(ReliabilityRow).insert({ marker });
      await gate.hold();
    });
    await gate.whenHeld(1);
    const closing = app.close();
    await waitUntil(() => alchemy.bind('default').closing); // the module's shutdown hook has begun

    const refused = alchemy.withSession((session) => session.query('SELECT 1'));
    await expect(refused).rejects.toThrow(DatabaseUnavailableError);
    await expect(refused).rejects.toThrow(/shutting down/);
    gate.releaseAll();
    await work;
    await closing;

    expect(await probe.count(ROWS_TABLE, 'marker = ?', [marker])).toBe(1);
    expect(alchemy.getDataSource().isInitialized).toBe(false);
  }, 30_000);

  it('the process exits by itself after app.close() under load, and the audit holds', async () => {
    const child = await startChildApp(database.connectionString);
    const load = startLoad({ base: child.url, concurrency: 8, routeOf: () => '/rows' });
    try {
      await load.until(300, () => true);
      const closed = child.close();
      const answers = await load.stop(); // the clients stop and let go of their connections
      await closed;
      // Nothing left open (pool, timer, socket) keeps the event loop alive: the child exits on its own.
      const exit = await Promise.race([child.exited, sleep(10_000, 'still running ten seconds later', { ref: false })]);
      expect(exit).toBe(0);

      for (const answer of answers) expect(outcome(answer)).toMatch(/^(201|503|ECONNREFUSED|ECONNRESET)$/);
      probe ??= await openProbe(database.connectionString);
      expect(await audit(probe, answers)).toEqual(CLEAN_AUDIT);
    } finally {
      await load.stop();
      child.kill();
    }
  }, 30_000);
});
