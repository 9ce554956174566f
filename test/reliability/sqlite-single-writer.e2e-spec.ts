import {
  createTestDatabase,
  openProbe,
  testDatabaseKinds,
  type DatabaseProbe,
  type TestDatabase,
} from 'nestjs-advanced-alchemy/testing';
import { audit, CLEAN_AUDIT, tally } from './fixtures/audit';
import { runLoad } from './fixtures/http-load';
import { startReliabilityApp, type ReliabilityApp } from './fixtures/start-reliability-app';
import { eachKind } from '../support/each-kind';

const REQUESTS = 1_000;
const CONCURRENCY = 32;
const ROUTES = ['/rel/yield-ok', '/rel/yield-throw', '/rel/ok', '/rel/throw'];

// SQLite has one connection per bind key. Were two requests' sessions to run on it at once, they
// would share one transaction: a failing request's rows would be committed by its neighbour's
// COMMIT, or a neighbour's ROLLBACK would drop an acknowledged row. The module makes the sessions
// take turns (a session holds the connection from its first statement to the end of its
// transaction), so each request's rows live and die with its own answer.
eachKind(testDatabaseKinds().filter((kind) => kind === 'sqlite'))('single writer on %s', (kind) => {
  let database: TestDatabase;
  let probe: DatabaseProbe;
  let started: ReliabilityApp;
  beforeAll(async () => {
    database = await createTestDatabase(kind, 'rel_single_writer');
    started = await startReliabilityApp({ connectionString: database.connectionString });
    probe = await openProbe(database.connectionString);
  });
  afterAll(async () => {
    await started?.stop();
    await probe?.close();
    await database?.drop();
  }, 30_000);

  it(`${REQUESTS} interleaved requests, half failing after their write: no row outlives its request`, async () => {
    const answers = await runLoad(REQUESTS, {
      base: started.url,
      concurrency: CONCURRENCY,
      routeOf: (index) => ROUTES[index % ROUTES.length],
    });

    const perRoute = REQUESTS / ROUTES.length;
    expect(tally(answers)).toEqual({
      '/rel/yield-ok 201': perRoute,
      '/rel/yield-throw 500': perRoute,
      '/rel/ok 201': perRoute,
      '/rel/throw 500': perRoute,
    });
    expect(await audit(probe, answers)).toEqual(CLEAN_AUDIT);
  }, 60_000);
});
