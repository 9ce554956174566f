import { createTestDatabase, openProbe, testDatabaseKinds, type TestDatabase } from 'nestjs-advanced-alchemy/testing';
import { startChildApp, type ChildApp } from './fixtures/child-process';
import { recordFigure } from './fixtures/figures';
import { outcome, runLoad } from './fixtures/http-load';
import { ROWS_TABLE } from './fixtures/reliability-row.entity';

/**
 * 50,000 requests per database (about 25 s each on two cores); RELIABILITY_MEMORY_REQUESTS lowers
 * it for a quick local run (the bound then catches only bigger leaks per request, see the doc).
 */
const REQUESTS = Number(process.env.RELIABILITY_MEMORY_REQUESTS ?? 50_000);
/** Requests before the first measure: the JIT, Nest's and TypeORM's caches and the pools settle. */
const WARM_UP = 2_000;
const MB = 1024 * 1024;
/** The bound of docs/reliability.md: 10 MB over the run, so a leak of more than ~200 bytes a request fails. */
const HEAP_GROWTH_BOUND = 10 * MB;

// CI runs this file beside another (it bounds heap growth, not time): the test's time limit is a
// hang guard, several times what 52,000 requests take there.
// The application runs in a child process started with --expose-gc, so that its heap is measured
// alone (not jest's, not the load generator's) after forced garbage collection.
describe.each(testDatabaseKinds())('memory on %s', (kind) => {
  let database: TestDatabase;
  let child: ChildApp | undefined;
  beforeAll(async () => {
    database = await createTestDatabase(kind, 'rel_memory');
  });
  afterAll(async () => {
    child?.kill();
    await database?.drop();
  });

  it(`${REQUESTS} requests writing through a session: heap growth under ${HEAP_GROWTH_BOUND / MB} MB`, async () => {
    child = await startChildApp(database.connectionString);
    const load = (total: number) => runLoad(total, { base: child!.url, concurrency: 16, routeOf: () => '/rows' });
    await load(WARM_UP);
    const before = await child.heapUsed();
    const started = performance.now();
    const answers = await load(REQUESTS);
    const seconds = (performance.now() - started) / 1000;
    const after = await child.heapUsed();

    expect(answers.filter((answer) => outcome(answer) !== '201').map(outcome)).toEqual([]);
    const probe = await openProbe(database.connectionString);
    expect(await probe.count(ROWS_TABLE)).toBe(WARM_UP + REQUESTS); // every request did write its row
    await probe.close();
    recordFigure('memory', `${kind} heap before (MB)`, (before / MB).toFixed(1));
    recordFigure('memory', `${kind} heap growth over ${REQUESTS} requests (MB)`, ((after - before) / MB).toFixed(2));
    recordFigure('memory', `${kind} requests per second`, Math.round(REQUESTS / seconds));
    expect(after - before).toBeLessThan(HEAP_GROWTH_BOUND);
  }, 480_000);
});
