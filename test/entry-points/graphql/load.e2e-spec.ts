import type { INestApplication } from '@nestjs/common';
import {
  createTestDatabase,
  openProbe,
  testDatabaseKinds,
  type DatabaseProbe,
  type TestDatabase,
} from 'nestjs-advanced-alchemy/testing';
import { newMarker } from '../../commit/fixtures/markers';
import { eachKind } from '../../support/each-kind';
import { NOTES } from './fixtures/note.entity';
import { answeredWithData, type Answer } from './fixtures/post-graphql';
import { startGraphqlApp, type GraphqlServer } from './fixtures/start-graphql-app';

const OPERATIONS = 200;
const SERVERS: readonly GraphqlServer[] = ['apollo-express', 'mercurius-fastify'];

/** A fixed sequence of coin tosses (the same failures on every run). */
function coinTosses(seed: number): () => boolean {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648 < 0.3;
  };
}

describe.each(SERVERS)('GraphQL under load (%s)', (server) => {
  eachKind(testDatabaseKinds())(`${OPERATIONS} concurrent two-field operations, %s`, (kind) => {
    let database: TestDatabase;
    let probe: DatabaseProbe;
    let app: INestApplication;
    let url: string;

    beforeAll(async () => {
      database = await createTestDatabase(kind, `graphql_load_${server.replace('-', '_')}`);
      app = await startGraphqlApp(server, { connectionString: database.connectionString, probe: () => probe });
      await app.listen(0, '127.0.0.1');
      url = `${await app.getUrl()}/graphql`.replace('[::1]', '127.0.0.1');
      probe = await openProbe(database.connectionString);
    });
    afterAll(async () => {
      await app?.close();
      await probe?.close();
      await database?.drop();
    });

    it('stores exactly the fields answered with data, no more, no less', async () => {
      const fails = coinTosses(kind.length * 31 + server.length);
      // a: nullable (a failure leaves b alone); b: non-null (a failure makes data null: nothing kept).
      const operations = Array.from({ length: OPERATIONS }, () => {
        const markers = { a: newMarker(), b: newMarker() };
        const query =
          `mutation { a: addOptionalNote(marker: "${markers.a}", fail: ${fails()}) { id } ` +
          `b: addNote(marker: "${markers.b}", fail: ${fails()}) { id } }`;
        return { markers, query };
      });
      const answers = await Promise.all(
        operations.map(async ({ query }) => {
          const response = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ query }),
          });
          return (await response.json()) as Answer;
        }),
      );

      const answered = new Set<string>();
      answers.forEach((answer, index) => {
        for (const key of answeredWithData(answer)) answered.add(operations[index].markers[key as 'a' | 'b']);
      });
      const all = operations.flatMap(({ markers }) => [markers.a, markers.b]);
      const rows = await probe.query<{ marker: string }>(`SELECT marker FROM ${NOTES}`);
      const storedMarkers = new Set(rows.map((row) => row.marker).filter((marker) => all.includes(marker)));

      expect(answered.size).toBeGreaterThan(OPERATIONS / 2);
      expect(answered.size).toBeLessThan(OPERATIONS * 2);
      expect([...storedMarkers].sort()).toEqual([...answered].sort());
    }, 120_000);
  });
});
