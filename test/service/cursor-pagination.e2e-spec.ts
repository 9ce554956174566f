import fc from 'fast-check';
import { SHELF_ENTITIES, SHELF_SERVICES, VolumeService, type Volume } from './fixtures/shelf.entities';
import { startServiceHarness, type ServiceHarness } from './fixtures/service-harness';
import {
  ComparisonFilter,
  CursorPage,
  InvalidFilterError,
  OrderBy,
  type EntityInput,
  type SortOrder,
} from 'nestjs-advanced-alchemy';
import { testDatabaseKinds } from 'nestjs-advanced-alchemy/testing';

const SECRET = 'a cursor secret of the test suite';
// Few distinct values, NULLs among them, letters in both cases: many ties to break.
const TITLES = ['a', 'A', 'b', 'B ', 'c', 'Zed', 'zed', 'ä'];
const GENRES = [null, 'x', 'X', 'y', null];
const SORTABLE = ['title', 'pages', 'genre', 'inPrint', 'createdAt'] as const;

const volumeArbitrary = fc.record({
  title: fc.constantFrom(...TITLES),
  pages: fc.integer({ min: 0, max: 4 }),
  genre: fc.constantFrom(...GENRES),
  inPrint: fc.boolean(),
});

describe.each(testDatabaseKinds())('repository service: cursor pagination on %s', (kind) => {
  let harness: ServiceHarness;
  let volumes: VolumeService;

  beforeAll(async () => {
    harness = await startServiceHarness(kind, 'svc_cursor', { entities: SHELF_ENTITIES, providers: SHELF_SERVICES });
    volumes = harness.app.get(VolumeService);
  });
  afterAll(() => harness?.close());

  async function pages(
    sort: Array<[string, SortOrder]>,
    limit: number,
    between: (pageIndex: number) => Promise<void>,
  ): Promise<string[]> {
    const visited: string[] = [];
    let cursor: string | undefined;
    for (let pageIndex = 0; pageIndex < 200; pageIndex++) {
      const page = await harness.inSession(() =>
        volumes.listByCursor(
          ...sort.map(([field, order]) => new OrderBy(field, order)),
          new CursorPage(limit, cursor, { secret: SECRET }),
        ),
      );
      expect(page.items.length).toBeLessThanOrEqual(limit);
      visited.push(...page.items.map((item) => item.id));
      if (page.nextCursor === null) return visited;
      cursor = page.nextCursor;
      await between(pageIndex);
    }
    throw new Error('More pages than rows.');
  }

  it('visits every row present at the start exactly once, whatever the sort, page size and inserts between pages', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(volumeArbitrary, { minLength: 0, maxLength: 25 }),
        fc
          .uniqueArray(fc.constantFrom(...SORTABLE), { maxLength: 3 })
          .chain((fields) =>
            fc.tuple(
              ...fields.map((field) =>
                fc.tuple(fc.constant(field as string), fc.constantFrom<SortOrder>('asc', 'desc')),
              ),
            ),
          ),
        fc.integer({ min: 1, max: 7 }),
        fc.array(fc.array(volumeArbitrary, { maxLength: 3 }), { maxLength: 6 }),
        async (initial, sort, limit, inserts) => {
          await harness.probe.query('DELETE FROM shf_volumes');
          const present = await harness.inSession(() => volumes.createMany(initial as EntityInput<Volume>[]));
          const visited = await pages(sort, limit, async (pageIndex) => {
            const batch = inserts[pageIndex];
            if (batch?.length) await harness.inSession(() => volumes.createMany(batch as EntityInput<Volume>[]));
          });
          expect(new Set(visited).size).toBe(visited.length); // none twice, the new rows included
          const seen = new Set(visited);
          expect(present.filter((row) => !seen.has(row.id))).toEqual([]);
        },
      ),
      { numRuns: kind === 'sqlite' ? 40 : 15 },
    );
  });

  it('pages follow the order of list() with the same sort, and the last page has no next cursor', async () => {
    await harness.probe.query('DELETE FROM shf_volumes');
    await harness.inSession(() =>
      volumes.createMany(
        TITLES.map((title, index) => ({ title, pages: index % 3, genre: GENRES[index % GENRES.length] })),
      ),
    );
    const sort: Array<[string, SortOrder]> = [
      ['genre', 'desc'],
      ['pages', 'asc'],
    ];
    const visited = await pages(sort, 3, async () => undefined);
    // list() sorts NULLs where the database does; keyset pages put them last ascending, first descending.
    const listed = await harness.inSession(() => volumes.list(new OrderBy('pages', 'asc')));
    expect(visited.sort()).toEqual(listed.map((row) => row.id).sort());
    const filtered = await harness.inSession(() =>
      volumes.listByCursor(new ComparisonFilter('pages', 'eq', 0), new CursorPage(100, undefined, { secret: SECRET })),
    );
    expect(filtered.items.every((row) => row.pages === 0)).toBe(true);
    expect(filtered.nextCursor).toBeNull();
  });

  it('refuses a cursor altered, signed with another key, or made for another ordering (InvalidFilterError)', async () => {
    await harness.probe.query('DELETE FROM shf_volumes');
    await harness.inSession(() => volumes.createMany(TITLES.map((title) => ({ title }))));
    const first = await harness.inSession(() =>
      volumes.listByCursor(new OrderBy('title'), new CursorPage(2, undefined, { secret: SECRET })),
    );
    const cursor = first.nextCursor as string;
    const [body, mac] = cursor.split('.');
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString()) as { values: unknown[] };
    payload.values[0] = 'zzz';
    const altered = `${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${mac}`;
    const read = (page: CursorPage, ...sort: OrderBy[]) => harness.inSession(() => volumes.listByCursor(...sort, page));
    for (const [page, sort, message] of [
      [new CursorPage(2, altered, { secret: SECRET }), [new OrderBy('title')], /signature does not match/],
      [new CursorPage(2, `${cursor}x`, { secret: SECRET }), [new OrderBy('title')], /signature does not match/],
      [new CursorPage(2, 'garbage', { secret: SECRET }), [new OrderBy('title')], /malformed/],
      [new CursorPage(2, cursor, { secret: 'another secret of 16+ bytes' }), [new OrderBy('title')], /signature/],
      [
        new CursorPage(2, cursor, { secret: SECRET }),
        [new OrderBy('title', 'desc')],
        /made for the ordering title:asc,id:asc/,
      ],
    ] as const) {
      const refused = read(page, ...sort);
      await expect(refused).rejects.toBeInstanceOf(InvalidFilterError);
      await expect(refused).rejects.toThrow(message);
    }
    expect((await read(new CursorPage(2, cursor, { secret: SECRET }), new OrderBy('title'))).items).toHaveLength(2);
  });
});
