import {
  AuthorService,
  Book,
  BookReader,
  BookService,
  LIBRARY_ENTITIES,
  LIBRARY_SERVICES,
} from './fixtures/library.entities';
import { startServiceHarness, type ServiceHarness } from './fixtures/service-harness';
import {
  BeforeAfter,
  CollectionFilter,
  ComparisonFilter,
  LimitOffset,
  FilterGroup,
  InvalidFilterError,
  NotInCollectionFilter,
  NotInSearchFilter,
  NotNullFilter,
  NullFilter,
  OnBeforeAfter,
  SearchFilter,
  type Criterion,
  type StatementFilter,
} from 'nestjs-advanced-alchemy';
import { testDatabaseKinds } from 'nestjs-advanced-alchemy/testing';

const day = (n: number) => new Date(Date.UTC(2020, 0, n));
const SEED = [
  { title: 'Apple pie', genre: 'food', pages: 10, publishedAt: day(1) },
  { title: 'apple tart', genre: 'FOOD', pages: 20, publishedAt: day(2) },
  { title: '100% pure', genre: null, pages: 30, publishedAt: day(3) },
  { title: '100 pure', genre: 'misc', pages: 40, publishedAt: day(4) },
  { title: 'a_b', genre: 'misc', pages: 50, publishedAt: null },
  { title: 'axb', genre: null, pages: 60, publishedAt: null },
  { title: 'wow!', genre: 'x!y', pages: 70, publishedAt: day(7) },
  { title: 'C:\\dir', genre: 'path', pages: 80, publishedAt: day(8) },
  { title: 'Ünïcödé', genre: 'ünï', pages: 90, publishedAt: day(9) },
].map((book, index) => ({ ...book, isbn: `f-${index}` }));

describe.each(testDatabaseKinds())('filters on %s', (kind) => {
  let harness: ServiceHarness;
  let reader: BookReader;
  const titles = (...criteria: Criterion<Book>[]) =>
    harness.inSession(async () => (await reader.list(...criteria)).map((book) => book.title).sort());
  const pagesOf = (...criteria: Criterion<Book>[]) =>
    harness.inSession(async () => (await reader.list(...criteria)).map((book) => book.pages).sort((a, b) => a - b));

  beforeAll(async () => {
    harness = await startServiceHarness(kind, 'svc_filters', {
      entities: LIBRARY_ENTITIES,
      providers: LIBRARY_SERVICES,
    });
    reader = harness.app.get(BookReader);
    await harness.inSession(() => harness.app.get(BookService).createMany(SEED));
  });
  afterAll(() => harness?.close());

  it('CollectionFilter: the listed values; an empty list matches nothing, undefined restricts nothing', async () => {
    expect(await pagesOf(new CollectionFilter('pages', [10, 30, 999]))).toEqual([10, 30]);
    expect(await pagesOf(new CollectionFilter('pages', []))).toEqual([]);
    expect(await pagesOf(new CollectionFilter('pages', undefined))).toHaveLength(9);
    expect(await pagesOf(new CollectionFilter('genre', ['misc', null]))).toEqual([30, 40, 50, 60]);
  });

  it('NotInCollectionFilter: anything but the listed values, NULLs kept unless null is listed', async () => {
    // Equality follows the column's collation: MariaDB's default one ignores case, so 'FOOD' is 'food' there.
    const foodUpper = kind === 'mariadb' ? [] : [20];
    expect(await pagesOf(new NotInCollectionFilter('genre', ['misc', 'food']))).toEqual([
      ...foodUpper,
      30,
      60,
      70,
      80,
      90,
    ]);
    expect(await pagesOf(new NotInCollectionFilter('genre', ['misc', null]))).toEqual([10, 20, 70, 80, 90]);
    expect(await pagesOf(new NotInCollectionFilter('genre', []))).toHaveLength(9);
    expect(await pagesOf(new NotInCollectionFilter('genre', undefined))).toHaveLength(9);
  });

  it('BeforeAfter excludes its bounds, OnBeforeAfter includes them; dates or ISO strings', async () => {
    expect(await pagesOf(new BeforeAfter('publishedAt', day(8), day(2)))).toEqual([30, 40, 70]);
    expect(await pagesOf(new OnBeforeAfter('publishedAt', day(8), day(2)))).toEqual([20, 30, 40, 70, 80]);
    expect(await pagesOf(new BeforeAfter('publishedAt', '2020-01-02T00:00:00.001Z'))).toEqual([10, 20]);
    expect(await pagesOf(new OnBeforeAfter('publishedAt', undefined, day(9)))).toEqual([90]);
    expect(await pagesOf(new BeforeAfter('pages', 30, 10))).toEqual([20]);
    expect(await pagesOf(new BeforeAfter('publishedAt'))).toHaveLength(9);
  });

  it('SearchFilter matches %, _, ! and \\ literally', async () => {
    expect(await titles(new SearchFilter('title', '0%'))).toEqual(['100% pure']);
    expect(await titles(new SearchFilter('title', 'a_b'))).toEqual(['a_b']);
    expect(await titles(new SearchFilter('title', 'w!'))).toEqual(['wow!']);
    expect(await titles(new SearchFilter('title', ':\\d'))).toEqual(['C:\\dir']);
    expect(await titles(new SearchFilter('title', '%'))).toEqual(['100% pure']);
  });

  it('SearchFilter is case-sensitive unless ignoreCase, and ORs several fields', async () => {
    expect(await titles(new SearchFilter('title', 'apple'))).toEqual(['apple tart']);
    expect(await titles(new SearchFilter('title', 'APPLE', true))).toEqual(['Apple pie', 'apple tart']);
    expect(await titles(new SearchFilter(['title', 'genre'], 'food', true))).toEqual(['Apple pie', 'apple tart']);
    expect(await titles(new SearchFilter(['title', 'genre'], 'misc'))).toEqual(['100 pure', 'a_b']);
    expect(await titles(new SearchFilter('title', 'ünï'))).toEqual([]);
    expect(await titles(new SearchFilter('title', 'Ünï'))).toEqual(['Ünïcödé']);
    expect(await titles(new SearchFilter('title', ''))).toHaveLength(9);
  });

  it('NotInSearchFilter keeps rows where no field contains the value (a NULL field contains nothing)', async () => {
    expect(await pagesOf(new NotInSearchFilter(['title', 'genre'], 'p'))).toEqual([50, 60, 70, 90]);
    expect(await pagesOf(new NotInSearchFilter('genre', 'FOOD', true))).toEqual([30, 40, 50, 60, 70, 80, 90]);
    expect(await pagesOf(new NotInSearchFilter('genre', undefined))).toHaveLength(9);
  });

  it('NullFilter and NotNullFilter', async () => {
    expect(await pagesOf(new NullFilter('publishedAt'))).toEqual([50, 60]);
    expect(await pagesOf(new NotNullFilter('genre'))).toEqual([10, 20, 40, 50, 70, 80, 90]);
  });

  it('ComparisonFilter: every operator', async () => {
    const compare = (op: ConstructorParameters<typeof ComparisonFilter>[1], value: unknown, field = 'pages') =>
      pagesOf(new ComparisonFilter(field, op, value));
    expect(await compare('eq', 30)).toEqual([30]);
    expect(await compare('ne', 'misc', 'genre')).toEqual([10, 20, 70, 80, 90]);
    expect(await compare('eq', null, 'genre')).toEqual([30, 60]);
    expect(await compare('gt', 80)).toEqual([90]);
    expect(await compare('ge', 80)).toEqual([80, 90]);
    expect(await compare('lt', 20)).toEqual([10]);
    expect(await compare('le', 20)).toEqual([10, 20]);
    expect(await compare('in', [20, 40])).toEqual([20, 40]);
    expect(await compare('in', [])).toEqual([]);
    expect(await compare('notin', ['misc'], 'genre')).toEqual([10, 20, 70, 80, 90]);
    expect(await compare('between', [30, 50])).toEqual([30, 40, 50]);
    expect(await compare('like', 'a%', 'title')).toEqual([20, 50, 60]);
    expect(await compare('like', 'a\\_b', 'title')).toEqual([50]);
    expect(await compare('like', '100\\%%', 'title')).toEqual([30]);
    expect(await compare('ilike', 'APPLE%', 'title')).toEqual([10, 20]);
    expect(await compare('startswith', '100%', 'title')).toEqual([30]);
    expect(await compare('endswith', '!', 'title')).toEqual([70]);
    expect(await compare('startswith', 'a', 'title')).toEqual([20, 50, 60]);
  });

  it('FilterGroup combines with and/or, nested; an unrestricted member makes an or-group unrestricted', async () => {
    const misc = new ComparisonFilter('genre', 'eq', 'misc');
    const big = new ComparisonFilter('pages', 'ge', 80);
    expect(await pagesOf(new FilterGroup('or', [misc, big]))).toEqual([40, 50, 80, 90]);
    expect(
      await pagesOf(new FilterGroup('and', [misc, new FilterGroup('or', [big, new SearchFilter('title', '_')])])),
    ).toEqual([50]);
    expect(await pagesOf(new FilterGroup('or', [misc, new CollectionFilter('pages', undefined)]))).toHaveLength(9);
    expect(await pagesOf(new FilterGroup('and', [misc, new CollectionFilter('pages', undefined)]))).toEqual([40, 50]);
    expect(await pagesOf(misc, new SearchFilter('title', 'pure'), new SearchFilter('title', '100 '))).toEqual([40]);
  });

  it('a many-to-one relation is filtered by its join column, given the id or the related entity', async () => {
    const author = await harness.inSession(() => harness.app.get(AuthorService).create({ name: 'Filtered' }));
    await harness.inSession(() =>
      harness.app.get(BookService).create({ title: 'Authored', isbn: 'f-authored', pages: 5, author }),
    );
    expect(await titles(new CollectionFilter('author', [author.id]))).toEqual(['Authored']);
    expect(await titles({ author })).toEqual(['Authored']);
    expect(await titles({ author: { id: author.id } }, new NullFilter('publishedAt'))).toEqual(['Authored']);
    expect(await pagesOf(new NullFilter('author'))).toHaveLength(9);
  });

  it('a filter applies to a query builder of its own', async () => {
    const found = await harness.inSession(async (session) => {
      const query = session.getRepository(Book).createQueryBuilder('b');
      new SearchFilter('title', 'pure').apply(query);
      new ComparisonFilter('pages', 'gt', 30).apply(query);
      return query.getMany();
    });
    expect(found.map((book) => book.title)).toEqual(['100 pure']);
  });

  const invalid: Array<[string, StatementFilter]> = [
    ['an unknown field', new CollectionFilter('nope', [1])],
    ['a search in an unknown field', new SearchFilter(['title', 'nope'], 'x')],
    ['a search in a non-text field', new SearchFilter('pages', '1')],
    ['text for an integer field', new ComparisonFilter('pages', 'eq', 'ten')],
    ['a fraction for an integer field', new ComparisonFilter('pages', 'lt', 1.5)],
    ['an integer out of range', new ComparisonFilter('pages', 'lt', 2 ** 60)],
    ['a malformed UUID', new CollectionFilter('id', ['abc'])],
    ['a malformed date', new BeforeAfter('publishedAt', 'yesterday')],
    ['a NUL character', new ComparisonFilter('title', 'eq', 'a\u0000b')],
    ['a lone surrogate', new SearchFilter('title', '\ud800')],
    ['an unknown operator', new ComparisonFilter('pages', 'approx' as 'eq', 1)],
    ['between without a pair', new ComparisonFilter('pages', 'between', [1])],
    ['like on a non-text field', new ComparisonFilter('pages', 'like', '1%')],
    ['an unknown group operator', new FilterGroup('xor' as 'or', [])],
    ['a group holding a page', new FilterGroup('and', [new LimitOffset(1) as never])],
  ];
  it.each(invalid)('%s is an InvalidFilterError, raised before any SQL', async (_name, filter) => {
    harness.recorder.reset();
    await expect(harness.inSession(() => reader.list(filter))).rejects.toBeInstanceOf(InvalidFilterError);
    expect(harness.recorder.matching('SELECT', 'svc_books')).toEqual([]);
  });
});
