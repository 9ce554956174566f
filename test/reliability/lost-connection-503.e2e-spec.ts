import {
  createTestDatabase,
  openProbe,
  serverUrl,
  testDatabaseKinds,
  type DatabaseProbe,
  type TestDatabase,
} from 'nestjs-advanced-alchemy/testing';
import { send, summary, type Answer } from './fixtures/http-load';
import { killConnection, OUTCOME_UNKNOWN } from './fixtures/kill-backends';
import { LostConnectionController, ReliabilityRowService, WAYS } from './fixtures/lost-connection.controller';
import { ROWS_TABLE } from './fixtures/reliability-row.entity';
import { startReliabilityApp, type ReliabilityApp } from './fixtures/start-reliability-app';
import { startTcpProxy, throughProxy, type TcpProxy } from './fixtures/tcp-proxy';
import { eachKind } from '../support/each-kind';

/** 0: the statement meets the dying connection; 100: the driver has seen it close first. */
const NOTICE_MS = [0, 100];

const servers = testDatabaseKinds().filter((kind) => kind !== 'sqlite');

// A statement or COMMIT that fails because the request's own connection is gone is a 503 with
// Retry-After (the client may retry), never a 500, whichever way the statement reached the
// database: the repository service, session.query, session.manager, a repository, or an explicit
// session.commit() as in manual commit mode. A COMMIT in flight gets "outcome unknown".
eachKind(servers)('a lost connection answers 503 on %s', (kind) => {
  let database: TestDatabase;
  let probe: DatabaseProbe;
  let proxy: TcpProxy;
  let started: ReliabilityApp;
  beforeAll(async () => {
    database = await createTestDatabase(kind, 'rel_lost_connection');
    probe = await openProbe(database.connectionString);
    proxy = await startTcpProxy(Number(new URL(serverUrl(kind)).port || (kind === 'postgres' ? 5432 : 3306)));
    started = await startReliabilityApp({
      connectionString: throughProxy(database.connectionString, proxy),
      commitMode: 'manual',
      controllers: [LostConnectionController],
      providers: [ReliabilityRowService],
      kill: async (id) => {
        await killConnection(probe, id);
      },
    });
  });
  afterAll(async () => {
    await started?.stop();
    await proxy?.close();
    await probe?.close();
    await database?.drop();
  }, 30_000);

  const expect503 = async (answer: Answer) => {
    expect({ answer: summary(answer), retryAfter: answer.retryAfter }).toEqual({
      answer: expect.stringMatching(/^\S+ 503 /),
      retryAfter: '1',
    });
    expect(await probe.count(ROWS_TABLE, 'marker = ?', [answer.marker])).toBe(0);
  };

  const cases = WAYS.flatMap((way) => NOTICE_MS.map((notice) => [way, notice] as const));
  it.each(cases)(
    'killed before a write through %s (driver notices after %i ms): 503',
    async (way, notice) => {
      await expect503(await send(started.url, 'POST', `/lost/${way}/${notice}`));
      // The application serves again, on another connection (in manual mode /rel/ok is rolled back).
      expect(summary(await send(started.url, 'POST', '/rel/ok'))).toMatch(/^\S+ 201 /);
    },
    20_000,
  );

  it.each(NOTICE_MS)(
    'killed before an explicit session.commit() (noticed after %i ms): 503',
    async (notice) => {
      const answer = await send(started.url, 'POST', `/lost/commit/${notice}`);
      await expect503(answer);
      // The COMMIT was never sent. Once the driver has seen the database close the connection (after 100 ms
      // surely; at 0 ms only if the close arrived before the COMMIT was written), the module knows the
      // transaction was rolled back and says nothing was stored; otherwise it cannot tell the COMMIT from one
      // lost in flight and says the outcome is unknown. Never "could not be saved" (that is a refused COMMIT).
      const message = String(JSON.parse(answer.body).message);
      expect(message).not.toMatch(/could not be saved/i);
      if (notice > 0)
        expect(message).toMatch(/before its COMMIT was sent: the transaction was rolled back and nothing was stored/);
      else expect(message).toMatch(/nothing was stored|may or may not have been stored/);
    },
    20_000,
  );

  it('connection lost while an explicit COMMIT is in flight: 503, outcome unknown', async () => {
    const answering = send(started.url, 'POST', '/lost/commit-held');
    await started.gate.whenHeld(1);
    const committing = proxy.cutAfterForwarding(/COMMIT/);
    started.gate.releaseAll();
    const answer = await answering;
    await committing; // the database has read the COMMIT and closed its end
    await proxy.restore();
    started.gate.reset();

    expect({ answer: summary(answer), retryAfter: answer.retryAfter }).toEqual({
      answer: expect.stringMatching(OUTCOME_UNKNOWN),
      retryAfter: '1',
    });
    expect(answer.status).toBe(503);
    expect(await probe.count(ROWS_TABLE, 'marker = ?', [answer.marker])).toBe(1); // the database did commit
  }, 20_000);
});
