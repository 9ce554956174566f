import fc from 'fast-check';
import { BookReader, BookService, LIBRARY_ENTITIES, LIBRARY_SERVICES, type Book } from './fixtures/library.entities';
import { filterSpec, pagingSpec } from './fixtures/filter-arbitraries';
import { isValid, selects, type FilterSpec, type Row } from './fixtures/filter-oracle';
import { startServiceHarness, type ServiceHarness } from './fixtures/service-harness';
import {
  BeforeAfter,
  CollectionFilter,
  ComparisonFilter,
  FilterGroup,
  InvalidFilterError,
  LimitOffset,
  NotInCollectionFilter,
  NotInSearchFilter,
  NotNullFilter,
  NullFilter,
  OnBeforeAfter,
  OrderBy,
  SearchFilter,
  type ComparisonOperator,
  type LogicalOperator,
  type RangeBound,
  type SortOrder,
  type StatementFilter,
  type WhereFilter,
} from 'nestjs-advanced-alchemy';
import { testDatabaseKinds } from 'nestjs-advanced-alchemy/testing';

// Row text is ASCII or has no case, so case-insensitive matching has one meaning on the row side
// whatever a database's LOWER() does beyond ASCII (the oracle bounds the value side).
const TITLES = [
  'Apple',
  'apple',
  'APPLE pie',
  'a%b',
  'a_b',
  'a\\b',
  'a!b',
  'x*y?[z]',
  ' lead',
  'trail ',
  '',
  'K',
  'k',
  '€ 5 日🙂',
  "O'Reilly",
];
const GENRES = [null, 'Misc', 'misc', 'a_b', '100%', null, 'K'];
const SEED = TITLES.map((title, index) => ({
  title,
  isbn: `p-${index}`,
  genre: GENRES[index % GENRES.length],
  pages: (index * 7) % 10,
  available: index % 2 === 0,
  publishedAt: index % 4 === 3 ? null : new Date(Date.UTC(2020, 0, 1 + index, index)),
}));
const FRAGMENTS = [
  ...new Set([...TITLES, ...TITLES.flatMap((t) => [t.slice(0, 2), t.slice(1, 3), t.slice(-2)]), 'misc', 'MISC']),
];

function build(spec: FilterSpec): StatementFilter {
  switch (spec.type) {
    case 'collection':
      return new CollectionFilter(spec.field, spec.values);
    case 'notInCollection':
      return new NotInCollectionFilter(spec.field, spec.values);
    case 'beforeAfter':
      return new BeforeAfter(spec.field, spec.first as RangeBound, spec.second as RangeBound);
    case 'onBeforeAfter':
      return new OnBeforeAfter(spec.field, spec.first as RangeBound, spec.second as RangeBound);
    case 'search':
      return new SearchFilter(spec.fields, spec.value, spec.ignoreCase);
    case 'notInSearch':
      return new NotInSearchFilter(spec.fields, spec.value, spec.ignoreCase);
    case 'null':
      return new NullFilter(spec.field);
    case 'notNull':
      return new NotNullFilter(spec.field);
    case 'comparison':
      return new ComparisonFilter(spec.field, spec.op as ComparisonOperator, spec.value);
    case 'group':
      return new FilterGroup(
        spec.op as LogicalOperator,
        spec.members.map((member) => build(member) as WhereFilter),
      );
    case 'orderBy':
      return new OrderBy(spec.field, spec.order as SortOrder);
    case 'limitOffset':
      return new LimitOffset(spec.limit, spec.offset);
  }
}

describe.each(testDatabaseKinds())('filters against arbitrary input on %s', (kind) => {
  let harness: ServiceHarness;
  let reader: BookReader;
  let rows: Row[];

  beforeAll(async () => {
    harness = await startServiceHarness(kind, 'svc_filter_prop', {
      entities: LIBRARY_ENTITIES,
      providers: LIBRARY_SERVICES,
    });
    reader = harness.app.get(BookReader);
    if (kind === 'mariadb') {
      // MariaDB compares text through the column's collation (case- and accent-insensitive by
      // default); a binary one gives equality the meaning the oracle checks.
      await harness.probe.query(
        'ALTER TABLE svc_books MODIFY title varchar(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL, ' +
          'MODIFY genre varchar(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NULL',
      );
    }
    const created: Book[] = await harness.inSession(() => harness.app.get(BookService).createMany(SEED));
    rows = created.map((book) => ({ ...book }));
  });
  afterAll(() => harness?.close());

  it('raises only InvalidFilterError, exactly for invalid input, and selects exactly the rows the filters mean', async () => {
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          filterSpec(
            FRAGMENTS,
            rows.map((row) => String(row.id)),
          ),
          { maxLength: 3 },
        ),
        fc.option(pagingSpec, { nil: undefined }),
        async (where, paging) => {
          const specs = paging ? [...where, paging] : where;
          let found: Book[] | undefined;
          let error: unknown;
          try {
            const filters = specs.map(build);
            found = await harness.inSession(() => reader.list(...filters));
          } catch (caught) {
            error = caught;
          }
          if (!specs.every((spec) => isValid(spec, kind))) {
            expect(error).toBeInstanceOf(InvalidFilterError);
            return;
          }
          expect(error).toBeUndefined();
          checked++;
          const ids = new Set((found ?? []).map((book) => book.id));
          const upper = rows.filter((row) => where.every((spec) => selects(spec, row, 'upper', kind) !== false));
          const lower = rows.filter((row) => where.every((spec) => selects(spec, row, 'lower', kind) === true));
          const allowed = new Set(upper.map((row) => row.id));
          for (const id of ids) expect(allowed.has(id)).toBe(true);
          if (paging?.type === 'limitOffset') expect(ids.size).toBeLessThanOrEqual(paging.limit);
          else for (const row of lower) expect(ids.has(row.id as string)).toBe(true);
        },
      ),
      {
        numRuns: Number(process.env.FILTER_PROPERTY_RUNS ?? 300),
        seed: Number(process.env.FILTER_PROPERTY_SEED ?? Date.now() % 2 ** 31),
      },
    );
    // The property must not hold merely because everything was rejected.
    expect(checked).toBeGreaterThan(50);
  });
});
