import { Controller, Get } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import request from 'supertest';
import { BookService, LIBRARY_ENTITIES, LIBRARY_SERVICES, type Book } from './fixtures/library.entities';
import { startServiceHarness, type ServiceHarness } from './fixtures/service-harness';
import { ListQuery, RepositoryExceptionFilter, type StatementFilter } from 'nestjs-advanced-alchemy';
import { testDatabaseKinds } from 'nestjs-advanced-alchemy/testing';

@Controller('books')
class BooksController {
  constructor(private readonly books: BookService) {}

  @Get()
  async list(
    @ListQuery({ searchFields: ['title'], orderByFields: ['title', 'pages'], maxLimit: 5, defaultLimit: 2 })
    filters: StatementFilter[],
  ) {
    const [items, total] = await this.books.listAndCount(...filters);
    return this.books.toSchema(items, total, filters);
  }
}

const cases = testDatabaseKinds().flatMap((kind) =>
  (['express', 'fastify'] as const).map((http) => [kind, http] as const),
);

describe.each(cases)('@ListQuery on %s over %s', (kind, http) => {
  let harness: ServiceHarness;
  let seeded: Book[];
  const get = (query: string) => request(harness.app.getHttpServer()).get(`/books${query}`);
  const titles = (body: { items: Array<{ title: string }> }) => body.items.map((item) => item.title);

  beforeAll(async () => {
    harness = await startServiceHarness(kind, 'svc_list_query', {
      entities: LIBRARY_ENTITIES,
      providers: [...LIBRARY_SERVICES, { provide: APP_FILTER, useClass: RepositoryExceptionFilter }],
      controllers: [BooksController],
      http,
    });
    seeded = await harness.inSession(() =>
      harness.app.get(BookService).createMany(
        ['Apple', 'banana', 'Cherry', 'apple pie', 'Date'].map((title, index) => ({
          title,
          isbn: `lq-${index}`,
          pages: 10 * (5 - index),
        })),
      ),
    );
  });
  afterAll(() => harness?.close());

  it('without parameters: the default page and the total', async () => {
    const { body } = await get('').expect(200);
    expect({ limit: body.limit, offset: body.offset, total: body.total, count: body.items.length }).toEqual({
      limit: 2,
      offset: 0,
      total: 5,
      count: 2,
    });
  });

  it('limit, offset, orderBy and sortOrder', async () => {
    const { body } = await get('?limit=3&offset=1&orderBy=pages&sortOrder=desc').expect(200);
    expect(titles(body)).toEqual(['banana', 'Cherry', 'apple pie']);
    expect([body.limit, body.offset, body.total]).toEqual([3, 1, 5]);
  });

  it('searchString over the search fields, case-insensitive on request', async () => {
    expect(titles((await get('?searchString=apple&orderBy=title').expect(200)).body)).toEqual(['apple pie']);
    const { body } = await get('?searchString=APPLE&searchIgnoreCase=true&orderBy=pages').expect(200);
    expect(titles(body).sort()).toEqual(['Apple', 'apple pie']);
  });

  it('ids, repeated or comma-separated, and the audit date ranges', async () => {
    const [a, b] = [seeded[0].id, seeded[2].id];
    expect(titles((await get(`?ids=${a},${b}&orderBy=title`).expect(200)).body)).toEqual(['Apple', 'Cherry']);
    expect(titles((await get(`?ids=${a}&ids=${b}&orderBy=title`).expect(200)).body)).toEqual(['Apple', 'Cherry']);
    expect((await get('?createdAfter=2000-01-01T00:00:00Z&limit=5').expect(200)).body.total).toBe(5);
    expect((await get('?updatedBefore=2000-01-01T00:00:00Z').expect(200)).body.total).toBe(0);
  });

  it.each([
    ['?limit=abc', 'limit must be a whole number'],
    ['?limit=6', 'limit must not be greater than 5'],
    ['?limit=0', 'limit must not be less than 1'],
    ['?offset=-1', 'offset must not be less than 0'],
    ['?sortOrder=up', 'sortOrder must be one of the following values: asc, desc'],
    ['?orderBy=isbn', 'orderBy must be one of: title, pages'],
    ['?createdBefore=yesterday', 'createdBefore must be an ISO 8601 date-time, e.g. 2024-05-01T12:00:00Z'],
    ['?searchIgnoreCase=maybe', 'searchIgnoreCase must be true or false'],
    ['?limit=1&limit=2', 'limit must be given once'],
  ])('%s is a 400 saying "%s"', async (query, message) => {
    const { body } = await get(query).expect(400);
    expect(body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(body.message).toContain(message);
  });

  it('every problem is listed at once', async () => {
    const { body } = await get('?limit=abc&sortOrder=up').expect(400);
    expect(body.message).toHaveLength(2);
  });

  it('an id that is not a UUID is a 400 from the filter itself', async () => {
    const { body } = await get('?ids=not-a-uuid').expect(400);
    expect(body.message).toContain('must be a UUID');
  });
});
