import {
  Publisher,
  PublisherService,
  ReviewService,
  SHELF_ENTITIES,
  SHELF_SERVICES,
  VolumeService,
  VolumeWithPublisherService,
  type Volume,
} from './fixtures/shelf.entities';
import { startServiceHarness, type ServiceHarness } from './fixtures/service-harness';
import { InvalidFilterError, LimitOffset, OrderBy } from 'nestjs-advanced-alchemy';
import { testDatabaseKinds } from 'nestjs-advanced-alchemy/testing';

describe.each(testDatabaseKinds())('repository service: relation loading on %s', (kind) => {
  let harness: ServiceHarness;
  let volumes: VolumeService;
  let withPublisher: VolumeWithPublisherService;
  let seeded: Volume[];

  beforeAll(async () => {
    harness = await startServiceHarness(kind, 'svc_load', { entities: SHELF_ENTITIES, providers: SHELF_SERVICES });
    volumes = harness.app.get(VolumeService);
    withPublisher = harness.app.get(VolumeWithPublisherService);
    const publishers = harness.app.get(PublisherService);
    const reviews = harness.app.get(ReviewService);
    seeded = await harness.inSession(async () => {
      const [gollancz, tor] = await publishers.createMany([{ name: 'Gollancz' }, { name: 'Tor' }]);
      const made = await volumes.createMany([
        { title: 'A', publisher: gollancz },
        { title: 'B', publisher: tor },
        { title: 'C', publisher: null },
      ]);
      // A has three reviews, B one: a join would make four rows of A and B.
      await reviews.createMany([
        { stars: 5, volume: made[0] },
        { stars: 4, volume: made[0] },
        { stars: 3, volume: made[0] },
        { stars: 2, volume: made[1] },
      ]);
      return made;
    });
  });
  afterAll(() => harness?.close());

  it('leaves relations unloaded unless asked', async () => {
    const found = await harness.inSession(() => volumes.get(seeded[0].id));
    expect(found.publisher).toBeUndefined();
    expect(found.reviews).toBeUndefined();
  });

  it('get, getOne and list load a to-one relation per call', async () => {
    await harness.inSession(async () => {
      expect((await volumes.get(seeded[0].id, { load: ['publisher'] })).publisher?.name).toBe('Gollancz');
      expect((await volumes.getOne({ title: 'B' }, { load: { publisher: true } })).publisher?.name).toBe('Tor');
      const listed = await volumes.list(new OrderBy('title'), { load: ['publisher'] });
      expect(listed.map((volume) => volume.publisher?.name ?? null)).toEqual(['Gollancz', 'Tor', null]);
    });
  });

  it('a to-many relation keeps pages and totals right (loaded by a second query, not a join)', async () => {
    const [page, total] = await harness.inSession(() =>
      volumes.listAndCount(new OrderBy('title'), new LimitOffset(2, 0), { load: ['reviews', 'publisher'] }),
    );
    expect(total).toBe(3);
    expect(page.map((volume) => volume.title)).toEqual(['A', 'B']);
    expect(page.map((volume) => volume.reviews?.map((review) => review.stars).sort())).toEqual([[3, 4, 5], [2]]);
    expect(page.map((volume) => volume.publisher?.name)).toEqual(['Gollancz', 'Tor']);
  });

  it('loads nested paths through a to-many relation', async () => {
    const publisher = await harness.inSession(() =>
      harness.app.get(PublisherService).getOne({ name: 'Gollancz' }, { load: ['volumes.reviews'] }),
    );
    expect(publisher).toBeInstanceOf(Publisher);
    expect(publisher.volumes?.map((volume) => volume.reviews?.length)).toEqual([3]);
  });

  it('a service-wide load applies to every read; a call replaces it (an empty list loads nothing)', async () => {
    await harness.inSession(async () => {
      expect((await withPublisher.get(seeded[1].id)).publisher?.name).toBe('Tor');
      expect((await withPublisher.list(new OrderBy('title'))).map((v) => v.publisher?.name ?? null)).toEqual([
        'Gollancz',
        'Tor',
        null,
      ]);
      expect((await withPublisher.get(seeded[1].id, { load: [] })).publisher).toBeUndefined();
    });
  });

  it('an unknown relation is an InvalidFilterError naming it and the relations there are', async () => {
    const refused = harness.inSession(() => volumes.get(seeded[0].id, { load: ['publisher.owner'] }));
    await expect(refused).rejects.toBeInstanceOf(InvalidFilterError);
    await expect(refused).rejects.toThrow(/Publisher has no relation "owner"\. Relations: volumes\./);
  });
});
