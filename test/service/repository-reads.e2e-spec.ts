import { BookReader, BookService, LIBRARY_ENTITIES, LIBRARY_SERVICES, type Book } from './fixtures/library.entities';
import { startServiceHarness, type ServiceHarness } from './fixtures/service-harness';
import {
  CollectionFilter,
  ComparisonFilter,
  InvalidFilterError,
  LimitOffset,
  NotFoundError,
  OffsetPagination,
  OrderBy,
  RepositoryError,
} from 'nestjs-advanced-alchemy';
import { testDatabaseKinds } from 'nestjs-advanced-alchemy/testing';

// Twelve books; page counts repeat so ordering by pages has ties to break.
const SEED = Array.from({ length: 12 }, (_, index) => ({
  title: `Book ${String(index).padStart(2, '0')}`,
  isbn: `isbn-${index}`,
  pages: [300, 100, 200][index % 3],
  genre: index % 4 === 0 ? null : ['novel', 'essay', 'poetry'][index % 3],
}));

describe.each(testDatabaseKinds())('repository service reads on %s', (kind) => {
  let harness: ServiceHarness;
  let books: BookService;
  let reader: BookReader;
  let seeded: Book[];

  beforeAll(async () => {
    harness = await startServiceHarness(kind, 'svc_reads', { entities: LIBRARY_ENTITIES, providers: LIBRARY_SERVICES });
    books = harness.app.get(BookService);
    reader = harness.app.get(BookReader);
    seeded = await harness.inSession(() => books.createMany(SEED));
  });
  afterAll(() => harness?.close());

  it('get returns the row by id, NotFoundError when absent, InvalidFilterError for a malformed id', async () => {
    await harness.inSession(async () => {
      expect((await reader.get(seeded[3].id)).isbn).toBe('isbn-3');
      await expect(reader.get('00000000-0000-4000-8000-000000000000')).rejects.toBeInstanceOf(NotFoundError);
      await expect(reader.get('not-a-uuid')).rejects.toBeInstanceOf(InvalidFilterError);
    });
  });

  it('getOne matches by criteria object or filters; none is NotFoundError, several a RepositoryError', async () => {
    await harness.inSession(async () => {
      expect((await reader.getOne({ isbn: 'isbn-5' })).title).toBe('Book 05');
      expect((await reader.getOne(new ComparisonFilter('title', 'eq', 'Book 07'))).isbn).toBe('isbn-7');
      await expect(reader.getOne({ isbn: 'nope' })).rejects.toBeInstanceOf(NotFoundError);
      const several = reader.getOne({ pages: 100 });
      await expect(several).rejects.toBeInstanceOf(RepositoryError);
      await expect(several).rejects.not.toBeInstanceOf(NotFoundError);
      expect(await reader.getOneOrNone({ isbn: 'nope' })).toBeNull();
      expect((await reader.getOneOrNone({ genre: null, pages: 300 }))?.isbn).toBe('isbn-0');
    });
  });

  it('getOne refuses undefined criteria values and unknown fields instead of matching everything', async () => {
    await harness.inSession(async () => {
      await expect(reader.getOne({ isbn: undefined })).rejects.toBeInstanceOf(InvalidFilterError);
      await expect(reader.getOne({ nope: 1 } as never)).rejects.toBeInstanceOf(InvalidFilterError);
    });
  });

  it('count and exists apply the filters and ignore pagination', async () => {
    await harness.inSession(async () => {
      expect(await reader.count()).toBe(12);
      expect(await reader.count({ pages: 200 }, new LimitOffset(1, 0))).toBe(4);
      expect(await reader.exists({ isbn: 'isbn-11' })).toBe(true);
      expect(await reader.exists({ isbn: 'isbn-12' })).toBe(false);
    });
  });

  it('orders ties by the primary key, so pages never repeat or skip a row', async () => {
    // The database's own order for the same ORDER BY (MariaDB's native UUID type sorts its own way).
    const stored = await harness.probe.query<{ id: string }>('SELECT id FROM svc_books ORDER BY pages DESC, id ASC');
    const pages = await harness.inSession(async () => {
      const collected: string[] = [];
      for (let offset = 0; offset < 12; offset += 5) {
        const page = await reader.list(new OrderBy('pages', 'desc'), new LimitOffset(5, offset));
        collected.push(...page.map((book) => book.id));
      }
      return collected;
    });
    expect(pages).toEqual(stored.map((row) => String(row.id)));
    expect(new Set(pages).size).toBe(12);
  });

  it('listAndCount gets the page and the total in one statement with COUNT(*) OVER()', async () => {
    harness.recorder.reset();
    const [items, total] = await harness.inSession(() =>
      reader.listAndCount(
        new CollectionFilter('genre', ['novel', 'essay']),
        new OrderBy('title'),
        new LimitOffset(2, 1),
      ),
    );
    const selects = harness.recorder.matching('SELECT', 'svc_books');
    expect(selects).toHaveLength(1);
    expect(selects[0]).toContain('COUNT(*) OVER()');
    expect(total).toBe(6);
    expect(items.map((book) => book.title)).toEqual(['Book 03', 'Book 06']);
  });

  it('listAndCount counts separately only for a page past the end', async () => {
    harness.recorder.reset();
    const [items, total] = await harness.inSession(() => reader.listAndCount(new LimitOffset(5, 50)));
    expect(items).toEqual([]);
    expect(total).toBe(12);
    expect(harness.recorder.matching('SELECT', 'svc_books')).toHaveLength(2);
    const [none, zero] = await harness.inSession(() => reader.listAndCount({ isbn: 'nope' }));
    expect([none, zero]).toEqual([[], 0]);
  });

  it('toSchema wraps a page as an OffsetPagination with the limit and offset asked for', async () => {
    const filters = [new OrderBy('isbn'), new LimitOffset(3, 3)];
    const page = await harness.inSession(async () => {
      const [items, total] = await reader.listAndCount(...filters);
      return reader.toSchema(items, total, filters);
    });
    expect(page).toBeInstanceOf(OffsetPagination);
    expect({ limit: page.limit, offset: page.offset, total: page.total }).toEqual({ limit: 3, offset: 3, total: 12 });
    expect(page.items.map((book) => book.isbn)).toEqual(['isbn-11', 'isbn-2', 'isbn-3']);
    expect(JSON.parse(JSON.stringify(reader.toSchema([], 0)))).toEqual({ items: [], limit: 0, offset: 0, total: 0 });
  });

  it('the read-only service has no writing methods', () => {
    expect('create' in reader).toBe(false);
    expect('delete' in reader).toBe(false);
    expect(typeof books.create).toBe('function');
  });
});
