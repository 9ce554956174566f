import fc from 'fast-check';
import {
  PublisherService,
  ReviewService,
  SHELF_ENTITIES,
  SHELF_SERVICES,
  VolumeService,
  type Volume,
} from './fixtures/shelf.entities';
import { startServiceHarness, type ServiceHarness } from './fixtures/service-harness';
import { quoted, timestampLiteral } from './fixtures/sql-names';
import {
  BooleanFilter,
  ChoicesFilter,
  ComparisonFilter,
  ExistsFilter,
  FilterContext,
  InvalidFilterError,
  MultiFilter,
  NotExistsFilter,
  OrderBy,
  type MultiFilterOptions,
  type StatementFilter,
} from 'nestjs-advanced-alchemy';
import { testDatabaseKinds } from 'nestjs-advanced-alchemy/testing';

const ALLOWED: MultiFilterOptions = {
  fields: { title: ['eq', 'istartswith', 'in'], pages: true, genre: ['eq', 'null', 'notnull', 'in'] },
};

describe.each(testDatabaseKinds())('filters of Advanced Alchemy 1.11 on %s', (kind) => {
  let harness: ServiceHarness;
  let volumes: VolumeService;
  let rows: Volume[];
  const titles = async (...filters: StatementFilter[]) =>
    // Sorted here: databases order 'Alpha' and 'alphabet' by their own collations.
    (await harness.inSession(() => volumes.list(...filters))).map((volume) => volume.title).sort();

  beforeAll(async () => {
    harness = await startServiceHarness(kind, 'svc_filters_aa', {
      entities: SHELF_ENTITIES,
      providers: SHELF_SERVICES,
    });
    volumes = harness.app.get(VolumeService);
    rows = await harness.inSession(async () => {
      const [ace, tor] = await harness.app.get(PublisherService).createMany([{ name: 'Ace' }, { name: 'Tor' }]);
      const made = await volumes.createMany([
        { title: 'Alpha', pages: 100, genre: 'sf', inPrint: true, publisher: ace },
        { title: 'alphabet', pages: 200, genre: 'fantasy', inPrint: false, publisher: tor },
        { title: 'Beta Ends', pages: 300, genre: null, inPrint: true, publisher: null },
        { title: 'Gamma ENDS', pages: 400, genre: 'sf', inPrint: false, publisher: ace },
      ]);
      await harness.app.get(ReviewService).createMany([
        { stars: 5, volume: made[0] },
        { stars: 2, volume: made[0] },
        { stars: 3, volume: made[1] },
      ]);
      return made;
    });
    const day = (iso: string) => timestampLiteral(kind, new Date(iso));
    await harness.probe.query(`UPDATE shf_volumes SET ${quoted(kind, 'createdAt')} = ?`, [day('2024-05-01T23:59:59Z')]);
    await harness.probe.query(`UPDATE shf_volumes SET ${quoted(kind, 'createdAt')} = ? WHERE title = ?`, [
      day('2024-05-02T00:00:00Z'),
      'Gamma ENDS',
    ]);
  });
  afterAll(() => harness?.close());

  it('ExistsFilter / NotExistsFilter test related rows through a one-to-many or many-to-one relation', async () => {
    expect(await titles(new ExistsFilter('reviews'))).toEqual(['Alpha', 'alphabet']);
    expect(await titles(new ExistsFilter('reviews', [new ComparisonFilter('stars', 'ge', 4)]))).toEqual(['Alpha']);
    expect(await titles(new NotExistsFilter('reviews'))).toEqual(['Beta Ends', 'Gamma ENDS']);
    expect(await titles(new ExistsFilter('publisher', [new ComparisonFilter('name', 'eq', 'Ace')]))).toEqual([
      'Alpha',
      'Gamma ENDS',
    ]);
    expect(await harness.inSession(() => volumes.count(new NotExistsFilter('publisher')))).toBe(1);
  });

  it('ExistsFilter leaves soft-deleted related rows out', async () => {
    const publishers = harness.app.get(PublisherService);
    const withVolumes = () =>
      harness.inSession(() =>
        publishers.list(new OrderBy('name'), new ExistsFilter('volumes', [new ComparisonFilter('pages', 'ge', 400)])),
      );
    expect((await withVolumes()).map((p) => p.name)).toEqual(['Ace']);
    await harness.inSession(() => volumes.softDelete(rows[3].id));
    try {
      expect(await withVolumes()).toEqual([]);
    } finally {
      await harness.inSession(() => volumes.restore(rows[3].id));
    }
  });

  it('ExistsFilter names an unknown relation', async () => {
    await expect(titles(new ExistsFilter('borrowers'))).rejects.toThrow(
      /Volume has no such relation. Relations: publisher, reviews/,
    );
  });

  it('ChoicesFilter and BooleanFilter', async () => {
    expect(await titles(new ChoicesFilter('genre', ['sf', 'fantasy'], 'sf'))).toEqual(['Alpha', 'Gamma ENDS']);
    expect(await titles(new ChoicesFilter('genre', ['sf', 'fantasy'], ['sf', 'fantasy']))).toHaveLength(3);
    expect(await titles(new ChoicesFilter('genre', ['sf'], undefined))).toHaveLength(4);
    await expect(titles(new ChoicesFilter('genre', ['sf', 'fantasy'], 'horror'))).rejects.toThrow(
      /must be one of sf, fantasy/,
    );
    expect(await titles(new BooleanFilter('inPrint', false))).toEqual(['Gamma ENDS', 'alphabet']);
    expect(await titles(new BooleanFilter('inPrint', 'true'))).toEqual(['Alpha', 'Beta Ends']);
    await expect(titles(new BooleanFilter('title', true))).rejects.toBeInstanceOf(InvalidFilterError);
  });

  it('istartswith, iendswith and dateeq', async () => {
    expect(await titles(new ComparisonFilter('title', 'istartswith', 'ALPHA'))).toEqual(['Alpha', 'alphabet']);
    expect(await titles(new ComparisonFilter('title', 'startswith', 'alpha'))).toEqual(['alphabet']);
    expect(await titles(new ComparisonFilter('title', 'iendswith', 'ends'))).toEqual(['Beta Ends', 'Gamma ENDS']);
    expect(await titles(new ComparisonFilter('createdAt', 'dateeq', '2024-05-02'))).toEqual(['Gamma ENDS']);
    expect(await titles(new ComparisonFilter('createdAt', 'dateeq', '2024-05-01'))).toHaveLength(3);
    await expect(titles(new ComparisonFilter('title', 'dateeq', '2024-05-01'))).rejects.toThrow(/needs a date field/);
  });

  it('MultiFilter: an and/or tree over the allowed fields', async () => {
    const tree = {
      or: [
        { field: 'title', op: 'istartswith', value: 'alpha' },
        {
          and: [
            { field: 'genre', op: 'null' },
            { field: 'pages', op: 'ge', value: 300 },
          ],
        },
      ],
    };
    expect(await titles(new MultiFilter(JSON.stringify(tree), ALLOWED))).toEqual(['Alpha', 'Beta Ends', 'alphabet']);
  });

  it('MultiFilter refuses, naming where: a field or operator outside the allow-list, a malformed tree', () => {
    const refused = (tree: unknown) => {
      try {
        new MultiFilter(tree, ALLOWED);
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidFilterError);
        return (error as Error).message;
      }
      throw new Error('accepted');
    };
    expect(
      refused({
        and: [
          { field: 'title', op: 'eq', value: 'x' },
          { field: 'slug', op: 'eq', value: 'x' },
        ],
      }),
    ).toBe('filter.and[1]: "slug" is not a field you may filter on (allowed: title, pages, genre).');
    expect(refused({ or: [{ field: 'genre', op: 'like', value: '%' }] })).toMatch(
      /^filter\.or\[0\]: operator "like" is not allowed on "genre"/,
    );
    expect(refused('{"and": [')).toBe('filter is not valid JSON.');
    expect(refused({ and: [] })).toBe('filter: "and" must be a non-empty list.');
    expect(refused({ and: [{ field: 'title' }] })).toMatch(/^filter\.and\[0\]: a condition needs "field" and "op"/);
    expect(refused({ field: 'title', op: 'eq', value: 'x', sql: '1=1' })).toMatch(/unknown key "sql"/);
    expect(refused({ field: 'genre', op: 'null', value: 1 })).toMatch(/takes no value/);
    expect(refused([])).toMatch(/^filter: must be an object/);
  });

  it('MultiFilter fuzzing: every value reaches the database as a parameter, never in the SQL text', async () => {
    const marker = fc.string({ minLength: 1, maxLength: 12 }).map((text) => `§${text}§`);
    const leaf = fc.record({
      field: fc.constantFrom('title', 'pages', 'genre', 'slug', "ti'tle"),
      op: fc.constantFrom('eq', 'in', 'istartswith', 'gt', 'null', 'like', 'between', "eq' OR 1=1"),
      value: fc.oneof(marker, fc.array(marker, { maxLength: 3 }), fc.integer(), fc.constant(undefined)),
    });
    const tree = fc.letrec<{ node: unknown }>((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        leaf,
        fc.record({ and: fc.array(tie('node'), { maxLength: 3 }) }),
        fc.record({ or: fc.array(tie('node'), { maxLength: 3 }) }),
      ),
    })).node;
    await harness.inSession(async (session) => {
      const query = session.getRepository(SHELF_ENTITIES[1]).createQueryBuilder('record');
      const context = FilterContext.of(query);
      await fc.assert(
        fc.asyncProperty(tree, async (input) => {
          let condition;
          try {
            condition = new MultiFilter(JSON.stringify(input), ALLOWED).toCondition(context);
          } catch (error) {
            expect(error).toBeInstanceOf(InvalidFilterError);
            return;
          }
          if (!condition) return;
          expect(condition.sql).not.toContain('§');
          const found = await session
            .getRepository(SHELF_ENTITIES[1])
            .createQueryBuilder('record')
            .where(condition.sql, condition.parameters)
            .getCount();
          expect(found).toBeGreaterThanOrEqual(0);
        }),
        { numRuns: 150 },
      );
    });
  });
});
