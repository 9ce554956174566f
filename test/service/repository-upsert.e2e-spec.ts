import { BookService, LIBRARY_ENTITIES, LIBRARY_SERVICES, type Book } from './fixtures/library.entities';
import { startServiceHarness, type ServiceHarness } from './fixtures/service-harness';
import { quoted, timestampLiteral } from './fixtures/sql-names';
import { InvalidFilterError, NotFoundError } from 'nestjs-advanced-alchemy';
import { testDatabaseKinds } from 'nestjs-advanced-alchemy/testing';

describe.each(testDatabaseKinds())('repository service upserts on %s', (kind) => {
  let harness: ServiceHarness;
  let books: BookService;
  let existing: Book;
  const longAgo = new Date('2001-01-01T00:00:00Z');
  const nativeUpsert = kind === 'mariadb' ? 'ON DUPLICATE KEY UPDATE' : 'ON CONFLICT';

  beforeAll(async () => {
    harness = await startServiceHarness(kind, 'svc_upsert', {
      entities: LIBRARY_ENTITIES,
      providers: LIBRARY_SERVICES,
    });
    books = harness.app.get(BookService);
  });
  afterAll(() => harness?.close());
  beforeEach(async () => {
    await harness.probe.query('DELETE FROM svc_books');
    existing = await harness.inSession(() => books.create({ title: 'Old', isbn: 'u-1', pages: 10, genre: 'kept' }));
    const stamp = timestampLiteral(kind, longAgo);
    await harness.probe.query(
      `UPDATE svc_books SET ${quoted(kind, 'createdAt')} = ?, ${quoted(kind, 'updatedAt')} = ?`,
      [stamp, stamp],
    );
  });

  it('upsert updates the row matching on matchFields: supplied fields only, same id and createdAt', async () => {
    harness.recorder.reset();
    const row = await harness.inSession(() =>
      books.upsert({ title: 'New', isbn: 'u-1', pages: 11 }, { matchFields: ['isbn'] }),
    );
    const inserts = harness.recorder.matching('INSERT', 'svc_books');
    expect(inserts).toHaveLength(1);
    expect(inserts[0]).toContain(nativeUpsert);
    expect(row).toMatchObject({ id: existing.id, title: 'New', pages: 11, genre: 'kept', createdAt: longAgo });
    expect(row.updatedAt.getTime()).toBeGreaterThan(longAgo.getTime()); // touched as save() would
    expect(await harness.probe.count('svc_books')).toBe(1);
  });

  it('upsertMany reads its rows back through RETURNING where the database has it (no SELECT after)', async () => {
    harness.recorder.reset();
    const rows = await harness.inSession(() =>
      books.upsertMany(
        [
          { title: 'Again', isbn: 'u-1', pages: 12 },
          { title: 'Other', isbn: 'u-3', pages: 3 },
        ],
        { matchFields: ['isbn'] },
      ),
    );
    expect(rows).toMatchObject([
      { id: existing.id, title: 'Again', pages: 12, genre: 'kept', createdAt: longAgo },
      { title: 'Other', pages: 3, available: true, genre: null },
    ]);
    expect(rows[1].createdAt).toBeInstanceOf(Date);
    const readBack = harness.recorder.matching('SELECT', 'svc_books');
    // SQLite: TypeORM's driver writes no RETURNING, so the rows are read back by their match fields.
    expect(readBack).toHaveLength(kind === 'sqlite' ? 1 : 0);
    expect(harness.recorder.matching('INSERT', 'svc_books')[0]).toMatch(
      kind === 'sqlite' ? /^(?!.*RETURNING)/s : /RETURNING/,
    );
  });

  it('upsert inserts a row that matches nothing', async () => {
    const row = await harness.inSession(() =>
      books.upsert({ title: 'Fresh', isbn: 'u-2', pages: 5 }, { matchFields: ['isbn'] }),
    );
    expect(row.id).not.toBe(existing.id);
    expect(row).toMatchObject({ title: 'Fresh', available: true, genre: null });
    expect(await harness.probe.count('svc_books', 'isbn = ? AND id = ?', ['u-2', row.id])).toBe(1);
  });

  it('upsert matches on the primary key by default', async () => {
    const row = await harness.inSession(() => books.upsert({ id: existing.id, title: 'ById', isbn: 'u-1', pages: 1 }));
    expect(row).toMatchObject({ id: existing.id, title: 'ById' });
    expect(await harness.probe.count('svc_books')).toBe(1);
  });

  it('upsertMany upserts a chunk per statement and returns rows in the order given, last duplicate winning', async () => {
    harness.recorder.reset();
    const rows = await harness.inSession(() =>
      books.upsertMany(
        [
          { title: 'A', isbn: 'u-3', pages: 3 },
          { title: 'B', isbn: 'u-1', pages: 1 },
          { title: 'C', isbn: 'u-4', pages: 4 },
          { title: 'D', isbn: 'u-5', pages: 5 },
          { title: 'A2', isbn: 'u-3', pages: 33 },
        ],
        { matchFields: ['isbn'] },
      ),
    );
    expect(rows.map((row) => [row.isbn, row.title, row.pages])).toEqual([
      ['u-3', 'A2', 33],
      ['u-1', 'B', 1],
      ['u-4', 'C', 4],
      ['u-5', 'D', 5],
      ['u-3', 'A2', 33],
    ]);
    expect(rows[1].id).toBe(existing.id);
    expect(harness.recorder.matching('INSERT', 'svc_books')).toHaveLength(2); // 4 distinct rows, chunks of 3
    expect(await harness.probe.count('svc_books')).toBe(4);
  });

  it('upsertMany leaves alone the fields a row does not supply, even next to rows that do', async () => {
    const rows = await harness.inSession(() =>
      books.upsertMany(
        [
          { title: 'Kept genre', isbn: 'u-1', pages: 2 },
          { title: 'Other', isbn: 'u-6', pages: 6, genre: 'set' },
        ],
        { matchFields: ['isbn'] },
      ),
    );
    expect(rows.map((row) => row.genre)).toEqual(['kept', 'set']);
  });

  it('upsert rejects unknown match fields and missing match values before any SQL', async () => {
    harness.recorder.reset();
    await expect(
      harness.inSession(() => books.upsert({ title: 'x', isbn: 'u-9', pages: 1 }, { matchFields: ['nope' as 'isbn'] })),
    ).rejects.toBeInstanceOf(InvalidFilterError);
    await expect(
      harness.inSession(() => books.upsert({ title: 'x', pages: 1 }, { matchFields: ['isbn'] })),
    ).rejects.toBeInstanceOf(InvalidFilterError);
    expect(harness.recorder.matching('INSERT', 'svc_books')).toHaveLength(0);
  });

  it('getOrUpsert returns the existing row (updated with extra) or creates one', async () => {
    const [found, created] = await harness.inSession(() => books.getOrUpsert({ isbn: 'u-1' }, { genre: 'changed' }));
    expect([found.id, found.genre, created]).toEqual([existing.id, 'changed', false]);
    expect(await harness.probe.count('svc_books', 'genre = ?', ['changed'])).toBe(1);
    const [made, wasCreated] = await harness.inSession(() =>
      books.getOrUpsert({ isbn: 'u-7' }, { title: 'Made', pages: 7 }),
    );
    expect([made.isbn, made.title, wasCreated]).toEqual(['u-7', 'Made', true]);
    expect(await harness.probe.count('svc_books', 'isbn = ?', ['u-7'])).toBe(1);
  });

  it('getAndUpdate reports whether anything changed, and is NotFoundError without a match', async () => {
    const [same, changedSame] = await harness.inSession(() => books.getAndUpdate({ isbn: 'u-1' }, { pages: 10 }));
    expect([same.id, changedSame]).toEqual([existing.id, false]);
    const [row, changed] = await harness.inSession(() => books.getAndUpdate({ isbn: 'u-1' }, { pages: 12 }));
    expect([row.pages, changed]).toEqual([12, true]);
    expect(await harness.probe.count('svc_books', 'pages = ?', [12])).toBe(1);
    await expect(harness.inSession(() => books.getAndUpdate({ isbn: 'none' }, { pages: 1 }))).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });
});
