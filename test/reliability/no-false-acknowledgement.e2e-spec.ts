import { getDataSourceToken } from 'nestjs-advanced-alchemy';
import {
  createTestDatabase,
  openProbe,
  testDatabaseKinds,
  type DatabaseProbe,
  type TestDatabase,
  poolState,
} from 'nestjs-advanced-alchemy/testing';
import type { DataSource } from 'typeorm';
import { audit, CLEAN_AUDIT, tally } from './fixtures/audit';
import { auditedTables, createDoomedCommitTables, doomedStatus } from './fixtures/doomed-commit';
import { recordFigure } from './fixtures/figures';
import { runLoad } from './fixtures/http-load';
import { startReliabilityApp, type ReliabilityApp } from './fixtures/start-reliability-app';

const REQUESTS = 2_000;
const CONCURRENCY = 32;
/** Ten requests in a row: half succeed, the rest throw, answer 404, or fail at COMMIT. */
const ROUTES = ['ok', 'throw', 'ok', 'missing', 'ok', 'doomed', 'ok', 'throw', 'ok', 'doomed'].map((r) => `/rel/${r}`);
const routeOf = (index: number) => ROUTES[index % ROUTES.length];

// The first promise: under concurrent load, the rows in the database are exactly those of the 2xx
// answers. A 2xx whose row is missing (a false acknowledgement) and a row stored for a request that
// failed are both caught by the audit, read through a connection outside the application.
describe.each(testDatabaseKinds())('no false acknowledgement on %s', (kind) => {
  let database: TestDatabase;
  let probe: DatabaseProbe;
  let started: ReliabilityApp;
  beforeAll(async () => {
    database = await createTestDatabase(kind, 'rel_no_false_ack');
    started = await startReliabilityApp({
      connectionString: database.connectionString,
      kill: (id) => probe.query(`KILL CONNECTION ${id}`).then(() => undefined),
    });
    // After the start: SQLite's file exists once the application has opened it.
    probe = await openProbe(database.connectionString);
    await createDoomedCommitTables(probe);
  });
  afterAll(async () => {
    await started?.stop();
    await probe?.close();
    await database?.drop();
  }, 30_000);

  it(`${REQUESTS} mixed requests, ${CONCURRENCY} at a time: rows stored == 2xx answers`, async () => {
    const began = performance.now();
    const answers = await runLoad(REQUESTS, { base: started.url, concurrency: CONCURRENCY, routeOf });
    recordFigure('no-false-acknowledgement', `${kind} run (s)`, ((performance.now() - began) / 1000).toFixed(1));

    // Each kind of request answered as it should, so the audit below compares real successes and failures.
    const perRoute = REQUESTS / ROUTES.length;
    expect(tally(answers)).toEqual({
      '/rel/ok 201': perRoute * 5,
      '/rel/throw 500': perRoute * 2,
      '/rel/missing 404': perRoute,
      [`/rel/doomed ${doomedStatus(kind)}`]: perRoute * 2,
    });
    expect(await audit(probe, answers, auditedTables(kind))).toEqual(CLEAN_AUDIT);

    // Every connection went back to its pool.
    const pool = poolState(started.app.get<DataSource>(getDataSourceToken()));
    if (pool) expect(pool).toEqual({ total: pool.total, idle: pool.total, waiting: 0 });
  }, 60_000);
});
