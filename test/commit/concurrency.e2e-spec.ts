import request from 'supertest';
import { poolState, testDatabaseKinds, useTestApp } from 'nestjs-advanced-alchemy/testing';
import { COMMIT_ROWS, CommitRow } from './fixtures/commit-row.entity';
import { newMarker } from './fixtures/markers';
import { RowWriter } from './fixtures/row-writer.service';
import { RowsController } from './fixtures/rows.controller';
import { SessionTracker } from './fixtures/session-tracker';
import { ADAPTERS } from './fixtures/start-app';

const CONCURRENT_REQUESTS = 200;

// Many requests at once, half of them failing after their write: every 2xx is backed by a stored
// row, no failed request leaves one, and every connection goes back to its pool afterwards.
describe.each(testDatabaseKinds())('%s under 200 concurrent requests, half failing', (kind) => {
  describe.each(ADAPTERS)('on %s', (http) => {
    const tracker = new SessionTracker();
    const testApp = useTestApp({
      kind,
      http,
      label: 'concurrency',
      entities: [CommitRow],
      config: { createDataSource: tracker.createDataSource },
      controllers: [RowsController],
      providers: [RowWriter],
    });

    it('committed rows are exactly those of the 2xx answers; nothing leaks', async () => {
      const markers = Array.from({ length: CONCURRENT_REQUESTS }, () => newMarker());
      const statuses = await Promise.all(
        markers.map(async (marker, index) => {
          const path = index % 2 === 0 ? '/rows' : '/rows/fail';
          return (await request(testApp.url).post(`${path}?marker=${marker}`)).status;
        }),
      );

      const acknowledged = markers.filter((_, index) => statuses[index] >= 200 && statuses[index] < 300);
      const stored = await testApp.probe.query<{ marker: string }>(
        `SELECT marker FROM ${COMMIT_ROWS} WHERE marker IN (${markers.map(() => '?').join(', ')})`,
        markers,
      );
      expect(statuses.filter((status) => status === 201)).toHaveLength(CONCURRENT_REQUESTS / 2);
      expect(statuses.filter((status) => status === 500)).toHaveLength(CONCURRENT_REQUESTS / 2);
      expect(stored.map((row) => row.marker).sort()).toEqual([...acknowledged].sort());

      // Every TypeORM query runner the sessions took was released, and the pool is whole again.
      expect(tracker.released).toBe(tracker.opened);
      const pool = poolState(testApp.dataSource());
      if (pool) expect(pool).toEqual({ total: pool.total, idle: pool.total, waiting: 0 });

      // And the next request is served at once (on SQLite: nobody kept the single connection).
      const next = newMarker();
      await request(testApp.url).post(`/rows?marker=${next}`).expect(201);
      expect(await testApp.probe.count(COMMIT_ROWS, 'marker = ?', [next])).toBe(1);
    });
  });
});
