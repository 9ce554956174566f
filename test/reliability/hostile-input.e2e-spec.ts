import { AdvancedAlchemy } from 'nestjs-advanced-alchemy';
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from 'nestjs-advanced-alchemy/testing';
import fc from 'fast-check';
import { Agent, request } from 'node:http';
import { Article, ArticlesController, ArticleService, SEED } from './fixtures/articles';
import { hostileQueryString, validListQuery } from './fixtures/hostile-arbitraries';
import { expectedAnswer, toQueryString } from './fixtures/list-query-oracle';
import { startReliabilityApp, type ReliabilityApp } from './fixtures/start-reliability-app';

/** What SQL (its keywords are upper case in TypeORM's statements) or a database driver's error looks like. */
const SQL_TEXT = /\b(SELECT|INSERT INTO|DELETE FROM|WHERE|ORDER BY|LIMIT \d|OFFSET \d|LIKE|ESCAPE|LOWER\()/;
const DRIVER_TEXT =
  /QueryFailedError|syntax error|SQLITE_|\bER_[A-Z_]+|violates|invalid input|relation "|column "|near "/i;

interface Page {
  items: Array<{ id: string; title: string }>;
  limit: number;
  offset: number;
  total: number;
}

// Whatever a client puts in the query string of a list endpoint (@ListQuery), the answer is a 400
// that says what is wrong, or a 200 with the right rows: never a 500, never SQL or a driver's
// message. Checked by fast-check over HTTP, against every database.
describe.each(testDatabaseKinds())('hostile list queries on %s', (kind) => {
  let database: TestDatabase;
  let started: ReliabilityApp;
  let rows: Array<(typeof SEED)[number] & { id: string }>;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  beforeAll(async () => {
    database = await createTestDatabase(kind, 'rel_hostile_input');
    started = await startReliabilityApp({
      connectionString: database.connectionString,
      entities: [Article],
      controllers: [ArticlesController],
      providers: [ArticleService],
    });
    const articles = started.app.get(ArticleService);
    const saved = await started.app
      .get(AdvancedAlchemy)
      .withSession(() => articles.createMany(SEED.map((row) => ({ ...row }))));
    rows = saved.map((row, index) => ({ ...SEED[index], id: row.id }));
  });
  afterAll(async () => {
    agent.destroy();
    await started?.stop();
    await database?.drop();
  }, 30_000);

  const call = (method: string, path: string, json?: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const headers = json === undefined ? {} : { 'content-type': 'application/json' };
      const req = request(`${started.url}${path}`, { agent, method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
      req.end(json);
    });
  const get = (query: string) => call('GET', `/articles?${query}`);

  it('any query string: a 400 naming the problems, or a 200 page of seeded rows; never a 500 or SQL', async () => {
    const known = () => new Set(rows.map((row) => row.id));
    await fc.assert(
      fc.asyncProperty(hostileQueryString, async (query) => {
        const { status, body } = await get(query);
        expect([200, 400]).toContain(status);
        const parsed = JSON.parse(body) as Page & { message: unknown };
        if (status === 400) {
          expect(body).not.toMatch(SQL_TEXT);
          expect(body).not.toMatch(DRIVER_TEXT);
          const messages = Array.isArray(parsed.message) ? parsed.message : [parsed.message];
          expect(messages.length).toBeGreaterThan(0);
          for (const message of messages) expect(typeof message).toBe('string');
          return;
        }
        // A 200 is a consistent page of rows that exist.
        expect(parsed.items.length).toBeLessThanOrEqual(parsed.limit);
        expect(parsed.total).toBeGreaterThanOrEqual(parsed.items.length);
        for (const item of parsed.items) expect(known().has(item.id)).toBe(true);
      }),
      { numRuns: 300 },
    );
  }, 120_000);

  it('valid queries with quotes, wildcards, escapes and Unicode: exactly the rows they ask for', async () => {
    await fc.assert(
      fc.asyncProperty(validListQuery(rows.map((row) => row.id)), async (query) => {
        const { status, body } = await get(toQueryString(query));
        expect(status).toBe(200);
        const page = JSON.parse(body) as Page;
        const expected = expectedAnswer(rows, query);
        expect({ total: page.total, limit: page.limit, offset: page.offset }).toEqual({
          total: expected.total,
          limit: expected.limit,
          offset: expected.offset,
        });
        expect(page.items.length).toBe(expected.pageSize);
        for (const item of page.items) expect(expected.matchingIds.has(item.id)).toBe(true);
        if (expected.page) expect(page.items.map((item) => item.id)).toEqual(expected.page);
      }),
      { numRuns: 300 },
    );
  }, 120_000);

  // PostgreSQL cannot store U+0000 in text and says so without naming the column: the client gets
  // a 422 naming its field. The other databases store it: a 201 and the same text read back.
  it('a NUL character in a string field: 422 naming the field on PostgreSQL; never a 500, never SQL', async () => {
    const { status, body } = await call('POST', '/articles', '{"title":"a\\u0000b","pages":7}');
    expect(body).not.toMatch(SQL_TEXT);
    expect(body).not.toMatch(DRIVER_TEXT);
    if (kind === 'postgres') {
      expect(status).toBe(422);
      expect(JSON.parse(body)).toEqual(
        expect.objectContaining({ statusCode: 422, message: expect.stringMatching(/title/) }),
      );
      return;
    }
    expect(status).toBe(201);
    const { id } = JSON.parse(body) as { id: string };
    const stored = await started.app.get(AdvancedAlchemy).withSession(() => started.app.get(ArticleService).get(id));
    expect(stored.title).toBe('a\u0000b');
  });
});
