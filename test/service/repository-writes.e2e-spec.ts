import { AuthorService, Book, BookService, LIBRARY_ENTITIES, LIBRARY_SERVICES } from './fixtures/library.entities';
import { startServiceHarness, type ServiceHarness } from './fixtures/service-harness';
import { quoted, timestampLiteral } from './fixtures/sql-names';
import { CollectionFilter, LimitOffset, NotFoundError, OrderBy, SearchFilter } from 'nestjs-advanced-alchemy';
import { testDatabaseKinds } from 'nestjs-advanced-alchemy/testing';

/** A DTO class as a controller would receive it: unset optional fields are `undefined`, extras exist. */
class BookPatchDto {
  isbn?: string;
  title?: string;
  genre?: string | null;
  pages?: number;
  notAColumn = 'ignored';
}

const book = (n: number) => ({ title: `W${n}`, isbn: `w-${n}`, pages: n, genre: 'g' });

describe.each(testDatabaseKinds())('repository service writes on %s', (kind) => {
  let harness: ServiceHarness;
  let books: BookService;
  let authors: AuthorService;

  beforeAll(async () => {
    harness = await startServiceHarness(kind, 'svc_writes', {
      entities: LIBRARY_ENTITIES,
      providers: LIBRARY_SERVICES,
    });
    books = harness.app.get(BookService);
    authors = harness.app.get(AuthorService);
  });
  afterAll(() => harness?.close());
  beforeEach(() => harness.probe.query('DELETE FROM svc_books'));

  it('create inserts one row from a plain object and returns it with id and timestamps', async () => {
    const created = await harness.inSession(() => books.create({ title: 'One', isbn: 'one', pages: 1 }));
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.createdAt).toBeInstanceOf(Date);
    expect(created.updatedAt.getTime()).toBe(created.createdAt.getTime());
    expect(await harness.probe.count('svc_books', 'id = ? AND title = ?', [created.id, 'One'])).toBe(1);
  });

  it('create takes a DTO class instance, keeping only the entity fields, or an entity itself', async () => {
    const dto = Object.assign(new BookPatchDto(), { title: 'From DTO', pages: 2, isbn: 'w-3' });
    const fromDto = await harness.inSession(() => books.create(dto));
    expect(fromDto).toMatchObject({ title: 'From DTO', pages: 2 });
    expect(fromDto).not.toHaveProperty('notAColumn');
    const entity = Object.assign(new Book(), book(4));
    expect(await harness.inSession(() => books.create(entity))).toBe(entity);
    expect(await harness.probe.count('svc_books', 'isbn IN (?, ?)', ['w-3', 'w-4'])).toBe(2);
  });

  it('createMany sends one multi-row INSERT per chunk and returns every generated id', async () => {
    harness.recorder.reset();
    const created = await harness.inSession(() => books.createMany([1, 2, 3, 4, 5, 6, 7].map(book)));
    expect(harness.recorder.matching('INSERT', 'svc_books')).toHaveLength(3); // chunkSize 3: 3 + 3 + 1
    const stored = await harness.probe.query<{ id: string; isbn: string }>('SELECT id, isbn FROM svc_books');
    expect(new Map(stored.map((row) => [row.isbn, String(row.id)]))).toEqual(
      new Map(created.map((entity) => [entity.isbn, entity.id])),
    );
  });

  it('createMany returns the rows as a read gives them: ids, defaults and booleans included', async () => {
    const created = await harness.inSession(() => books.createMany([book(60), { ...book(61), available: false }]));
    const read = await harness.inSession(() =>
      books.list(new CollectionFilter('pages', [60, 61]), new OrderBy('pages')),
    );
    expect(created).toEqual(read);
    expect(created.map((entity) => entity.available)).toEqual([true, false]);
  });

  it('createMany returns the auto-increment ids the database gave, as numbers', async () => {
    harness.recorder.reset();
    const created = await harness.inSession(() =>
      authors.createMany(
        ['a', 'b', 'c', 'd'].map((name) => ({ name: `${kind}-${name}` })),
        { chunkSize: 2 },
      ),
    );
    expect(harness.recorder.matching('INSERT', 'svc_authors')).toHaveLength(2);
    const stored = await harness.probe.query<{ id: number | string; name: string }>(
      'SELECT id, name FROM svc_authors WHERE name LIKE ?',
      [`${kind}-%`],
    );
    for (const author of created) expect(typeof author.id).toBe('number');
    expect(created.map((author) => [author.name, author.id])).toEqual(
      stored.map((row) => [row.name, Number(row.id)]).sort((a, b) => Number(a[1]) - Number(b[1])),
    );
  });

  it('update changes only the fields given, touches updatedAt and returns the entity', async () => {
    const created = await harness.inSession(() => books.create({ ...book(10), genre: 'kept' }));
    const longAgo = new Date('2001-01-01T00:00:00Z');
    const [createdAt, updatedAt] = [quoted(kind, 'createdAt'), quoted(kind, 'updatedAt')];
    const stamp = timestampLiteral(kind, longAgo);
    await harness.probe.query(`UPDATE svc_books SET ${createdAt} = ?, ${updatedAt} = ? WHERE id = ?`, [
      stamp,
      stamp,
      created.id,
    ]);
    const patch = Object.assign(new BookPatchDto(), { title: 'Renamed' });
    const updated = await harness.inSession(() => books.update(created.id, patch));
    expect(updated).toMatchObject({ id: created.id, title: 'Renamed', genre: 'kept', pages: 10, isbn: 'w-10' });
    expect(updated.updatedAt.getTime()).toBeGreaterThan(longAgo.getTime());
    const stored = await harness.inSession(() => books.get(created.id));
    expect(stored).toMatchObject({ title: 'Renamed', genre: 'kept', createdAt: longAgo, updatedAt: updated.updatedAt });
  });

  it('update accepts the entity itself, and is NotFoundError for a row that is gone', async () => {
    const created = await harness.inSession(() => books.create(book(11)));
    created.pages = 111;
    expect((await harness.inSession(() => books.update(created))).pages).toBe(111);
    expect(await harness.probe.count('svc_books', 'pages = ?', [111])).toBe(1);
    await harness.probe.query('DELETE FROM svc_books WHERE id = ?', [created.id]);
    await expect(harness.inSession(() => books.update(created.id, { pages: 1 }))).rejects.toBeInstanceOf(NotFoundError);
  });

  it('updateMany updates each row by its id, and changes nothing if one is missing', async () => {
    const [a, b] = await harness.inSession(() => books.createMany([book(20), book(21)]));
    const updated = await harness.inSession(() =>
      books.updateMany([
        { id: b.id, pages: 210 },
        { id: a.id, title: 'A2' },
      ]),
    );
    expect(updated.map((entity) => [entity.isbn, entity.title, entity.pages])).toEqual([
      ['w-21', 'W21', 210],
      ['w-20', 'A2', 20],
    ]);
    const missing = '00000000-0000-4000-8000-000000000000';
    await expect(
      harness.inSession(() =>
        books.updateMany([
          { id: a.id, pages: 999 },
          { id: missing, pages: 1 },
        ]),
      ),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect(await harness.probe.count('svc_books', 'pages = ?', [999])).toBe(0);
  });

  it('delete removes the row and returns it; NotFoundError when absent', async () => {
    const created = await harness.inSession(() => books.create(book(30)));
    const deleted = await harness.inSession(() => books.delete(created.id));
    expect(deleted).toMatchObject({ id: created.id, isbn: 'w-30' });
    expect(await harness.probe.count('svc_books', 'id = ?', [created.id])).toBe(0);
    await expect(harness.inSession(() => books.delete(created.id))).rejects.toBeInstanceOf(NotFoundError);
  });

  it('deleteMany deletes in chunks and returns the rows that existed', async () => {
    const created = await harness.inSession(() => books.createMany([40, 41, 42, 43, 44, 45, 46].map(book)));
    const absent = '00000000-0000-4000-8000-000000000001';
    harness.recorder.reset();
    const deleted = await harness.inSession(() => books.deleteMany([...created.slice(0, 6).map((b) => b.id), absent]));
    expect(deleted.map((entity) => entity.isbn).sort()).toEqual(['w-40', 'w-41', 'w-42', 'w-43', 'w-44', 'w-45']);
    expect(harness.recorder.matching('DELETE', 'svc_books')).toHaveLength(2); // 6 rows, 3 per chunk
    expect(await harness.probe.count('svc_books')).toBe(1);
  });

  it('deleteWhere deletes what the filters select, pagination included', async () => {
    await harness.inSession(() => books.createMany([50, 51, 52, 53].map(book)));
    const deleted = await harness.inSession(() =>
      books.deleteWhere(new SearchFilter('title', 'W5'), new OrderBy('pages', 'desc'), new LimitOffset(2, 0)),
    );
    expect(deleted.map((entity) => entity.pages)).toEqual([53, 52]);
    const left = await harness.inSession(() => books.list(new CollectionFilter('pages', [50, 51, 52, 53])));
    expect(left.map((entity) => entity.pages).sort()).toEqual([50, 51]);
  });
});
