import type { INestApplication } from '@nestjs/common';
import {
  createTestDatabase,
  openProbe,
  testDatabaseKinds,
  type DatabaseProbe,
  type TestDatabase,
} from 'nestjs-advanced-alchemy/testing';
import { COMMIT_ROWS } from '../commit/fixtures/commit-row.entity';
import { startTicksApp, stopTicks, TickLog, TICKS } from './fixtures/ticks-app';
import { waitFor } from './fixtures/wait-for';

// Every tick of @Interval, @Timeout and @Cron is a unit of work of its own, with real timers:
// committed when the handler resolves, rolled back when it throws, never sharing a session with
// another tick running at the same time.
describe.each(testDatabaseKinds())('scheduled ticks on %s', (kind) => {
  let database: TestDatabase;
  let probe: DatabaseProbe;
  let app: INestApplication;
  let log: TickLog;
  const rowsOf = (marker: string) => probe.count(COMMIT_ROWS, 'marker = ?', [marker]);
  const ticks = Array.from({ length: TICKS }, (_, index) => index + 1);
  const allSettled = (markers: string[]) =>
    waitFor(`${markers.length} ticks to end`, () =>
      markers.every((marker) => log.settled(marker)) ? true : undefined,
    );

  beforeAll(async () => {
    database = await createTestDatabase(kind, 'entry_ticks');
    app = await startTicksApp(database.connectionString);
    log = app.get(TickLog);
    probe = await openProbe(database.connectionString);
  });
  afterAll(async () => {
    if (app) stopTicks(app);
    await app?.close();
    await probe?.close();
    await database?.drop();
  });

  it('@Interval: ticks that resolve are committed, ticks that throw are rolled back', async () => {
    const markers = ticks.map((tick) => log.marker('alternating', tick));
    await allSettled(markers);
    for (const [index, marker] of markers.entries()) {
      const resolved = (index + 1) % 2 === 1;
      expect({ marker, committed: log.committed.has(marker), rows: await rowsOf(marker) }).toEqual({
        marker,
        committed: resolved,
        rows: resolved ? 1 : 0,
      });
    }
  });

  it('@Interval ticks that overlap: each has its own session, each row committed', async () => {
    const markers = ticks.map((tick) => log.marker('overlapping', tick));
    await allSettled(markers);
    expect(log.mostInFlight).toBeGreaterThan(1);
    expect(log.ownSession).toEqual(ticks.map(() => true));
    for (const marker of markers) expect(await rowsOf(marker)).toBe(1);
  });

  it('@Timeout: committed when it resolves, rolled back when it throws', async () => {
    const [resolves, throws] = [log.marker('timeout', 1), log.marker('timeout-throws', 1)];
    await allSettled([resolves, throws]);
    expect(await rowsOf(resolves)).toBe(1);
    expect(log.rolledBack.has(throws)).toBe(true);
    expect(await rowsOf(throws)).toBe(0);
  });

  it('@Cron: the tick is committed', async () => {
    const marker = log.marker('cron', 1);
    await allSettled([marker]);
    expect(await rowsOf(marker)).toBe(1);
  });
});
