import { testDatabaseKinds } from 'nestjs-advanced-alchemy/testing';
import {
  createCatalogueDatabases,
  startCatalogue,
  type CatalogueDatabases,
  type HttpAdapterName,
  type RunningCatalogue,
} from './fixtures/start-catalogue';

jest.setTimeout(60_000); // the sample starts on two databases; slow under load

/** `{"name":"x","a":{"a":{…}}}` nested `depth` levels deep, as text (JSON.stringify would recurse too). */
function nestedBody(depth: number): string {
  return `{"name":"Deep","birthYear":1950,"a":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`;
}

// A deeply nested JSON body used to reach class-transformer behind the ValidationPipe and overflow
// its recursion: `RangeError: Maximum call stack size exceeded`, answered 500. The sample bounds
// the depth of bodies before validation (MaxDepthPipe): the client gets a 400 saying why.
describe.each(testDatabaseKinds())('a deeply nested body sent to the sample on %s', (kind) => {
  let databases: CatalogueDatabases;
  beforeAll(async () => {
    databases = await createCatalogueDatabases(kind, 'deep_body');
  });
  afterAll(async () => {
    await databases?.drop();
  });

  describe.each<HttpAdapterName>(['express', 'fastify'])('on %s', (adapter) => {
    let catalogue: RunningCatalogue;
    beforeAll(async () => {
      catalogue = await startCatalogue(databases, { adapter });
    });
    afterAll(async () => {
      await catalogue?.close();
    });

    it('answers 400 naming the depth limit, stores nothing, and the app keeps serving', async () => {
      const before = await catalogue.rows.count('authors');
      const response = await catalogue
        .api()
        .post('/authors')
        .set('content-type', 'application/json')
        .send(nestedBody(10_000));
      expect(response.status).toBe(400);
      expect(JSON.stringify(response.body)).toContain('nested deeper than 32 levels');
      expect(await catalogue.rows.count('authors')).toBe(before);
      await catalogue.api().post('/authors').send({ name: 'Ted Chiang', birthYear: 1967 }).expect(201);
    });

    it('a body within the limit is validated as before (an unknown field is a 400 from the ValidationPipe)', async () => {
      const response = await catalogue
        .api()
        .post('/authors')
        .set('content-type', 'application/json')
        .send(nestedBody(10));
      expect(response.status).toBe(400);
      expect(JSON.stringify(response.body)).toContain('property a should not exist');
    });
  });
});
