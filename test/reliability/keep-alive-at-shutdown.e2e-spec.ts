import { createTestDatabase, openProbe, type TestDatabase } from 'nestjs-advanced-alchemy/testing';
import { Agent, type Server } from 'node:http';
import { send } from './fixtures/http-load';
import { ROWS_TABLE } from './fixtures/reliability-row.entity';
import { startReliabilityApp } from './fixtures/start-reliability-app';
import { waitUntil } from './fixtures/wait-until';

// A rolling deploy: SIGTERM (app.close()) reaches an instance while requests are in flight on keep-alive
// connections. Their answers must tell the client to close the connection; a client that reuses it after
// the server let it go gets ECONNRESET. The drain is HTTP-level, the same on every database: SQLite suffices.
describe('requests in flight at shutdown, on keep-alive connections', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('sqlite', 'rel_keep_alive_shutdown');
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('are answered with Connection: close, committed', async () => {
    const { app, url, gate, stop } = await startReliabilityApp({ connectionString: database.connectionString });
    const agent = new Agent({ keepAlive: true });
    try {
      const inFlight = ['/rel/held', '/rel/held', '/rel/held'].map((route) => send(url, 'POST', route, agent));
      await gate.whenEntered(3);
      const closing = app.close();
      await waitUntil(() => !(app.getHttpServer() as Server).listening);
      gate.releaseAll();
      const answers = await Promise.all(inFlight);
      await closing;

      expect(answers.map((answer) => [answer.status, answer.connection])).toEqual([
        [201, 'close'],
        [201, 'close'],
        [201, 'close'],
      ]);
      const probe = await openProbe(database.connectionString);
      try {
        for (const answer of answers) expect(await probe.count(ROWS_TABLE, 'marker = ?', [answer.marker])).toBe(1);
      } finally {
        await probe.close();
      }
    } finally {
      agent.destroy();
      await stop().catch(() => undefined);
    }
  }, 30_000);
});
