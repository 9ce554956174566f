import request from 'supertest';
import { testDatabaseKinds, useTestApp } from 'nestjs-advanced-alchemy/testing';
import { COMMIT_ROWS, CommitRow } from './fixtures/commit-row.entity';
import { newMarker } from './fixtures/markers';
import { RowWriter } from './fixtures/row-writer.service';
import { RowsController } from './fixtures/rows.controller';
import { ADAPTERS } from './fixtures/start-app';

const SEQUENTIAL_REQUESTS = 50;

// The commit completes before the first byte of the response leaves: a client that got its 2xx
// can read its write back at once from any other connection, with no wait and no retry.
describe.each(testDatabaseKinds())('a 2xx is sent only after the commit, %s', (kind) => {
  describe.each(ADAPTERS)('on %s', (http) => {
    const testApp = useTestApp({
      kind,
      http,
      label: 'ordering',
      entities: [CommitRow],
      controllers: [RowsController],
      providers: [RowWriter],
    });

    it(`${SEQUENTIAL_REQUESTS} sequential requests each find their row the moment the 201 arrives`, async () => {
      const missing: string[] = [];
      for (let index = 0; index < SEQUENTIAL_REQUESTS; index += 1) {
        const marker = newMarker();
        await request(testApp.url).post(`/rows?marker=${marker}`).expect(201);
        // No waiting: the read goes out right after the response, on the probe's own connection.
        if ((await testApp.probe.count(COMMIT_ROWS, 'marker = ?', [marker])) !== 1) missing.push(marker);
      }
      expect(missing).toEqual([]);
    });
  });
});
