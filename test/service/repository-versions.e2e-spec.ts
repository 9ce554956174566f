import { SHELF_ENTITIES, SHELF_SERVICES, VolumeService, type Volume } from './fixtures/shelf.entities';
import { startServiceHarness, type ServiceHarness } from './fixtures/service-harness';
import { ConflictError, repositoryErrorStatus } from 'nestjs-advanced-alchemy';
import { testDatabaseKinds } from 'nestjs-advanced-alchemy/testing';

describe.each(testDatabaseKinds())('repository service: optimistic locking (@VersionColumn) on %s', (kind) => {
  let harness: ServiceHarness;
  let volumes: VolumeService;
  let row: Volume;
  const stored = async (id: string) =>
    (
      await harness.probe.query<{ title: string; version: number | string }>(
        'SELECT title, version FROM shf_volumes WHERE id = ?',
        [id],
      )
    )[0];

  beforeAll(async () => {
    harness = await startServiceHarness(kind, 'svc_version', { entities: SHELF_ENTITIES, providers: SHELF_SERVICES });
    volumes = harness.app.get(VolumeService);
  });
  afterAll(() => harness?.close());
  beforeEach(async () => {
    row = await harness.inSession(() => volumes.create({ title: 'v1', slug: null }));
  });

  it('an update carrying the current version applies and moves the version on', async () => {
    expect(row.version).toBe(1);
    const updated = await harness.inSession(() => volumes.update(row.id, { title: 'v2', version: 1 }));
    expect(updated).toMatchObject({ title: 'v2', version: 2 });
    expect(await stored(row.id)).toEqual({ title: 'v2', version: 2 });
  });

  it('an update carrying a stale version is a ConflictError (409) naming the entity; the row is unchanged', async () => {
    await harness.inSession(() => volumes.update(row.id, { title: 'first', version: 1 }));
    const stale = harness.inSession(() => volumes.update(row.id, { title: 'second', version: 1 }));
    await expect(stale).rejects.toBeInstanceOf(ConflictError);
    await expect(stale).rejects.toThrow(
      /^Volume .* was changed by someone else: it is at version 2, the change was made on version 1/,
    );
    expect(repositoryErrorStatus(new ConflictError('stale', 'Volume')).statusCode).toBe(409);
    expect(await stored(row.id)).toMatchObject({ title: 'first' });
  });

  it('update of an entity read earlier checks the version it carries', async () => {
    const read = await harness.inSession(() => volumes.get(row.id));
    await harness.inSession(() => volumes.update(row.id, { title: 'meanwhile' }));
    read.title = 'late';
    await expect(harness.inSession(() => volumes.update(read))).rejects.toBeInstanceOf(ConflictError);
  });

  it('updateMany and upsert check versions too; upsert moves the version and starts new rows at 1', async () => {
    const other = await harness.inSession(() => volumes.create({ title: 'o1' }));
    await harness.inSession(() => volumes.update(other.id, { title: 'o2' }));
    await expect(
      harness.inSession(() =>
        volumes.updateMany([
          { id: row.id, title: 'x', version: 1 },
          { id: other.id, title: 'y', version: 1 },
        ]),
      ),
    ).rejects.toBeInstanceOf(ConflictError);
    expect(await stored(row.id)).toMatchObject({ title: 'v1' }); // all or nothing
    await expect(
      harness.inSession(() => volumes.upsert({ id: other.id, title: 'z', version: 1 })),
    ).rejects.toBeInstanceOf(ConflictError);
    const upserted = await harness.inSession(() => volumes.upsert({ id: other.id, title: 'z', version: 2 }));
    expect(upserted).toMatchObject({ title: 'z', version: 3 });
    const fresh = await harness.inSession(() =>
      volumes.upsert({ id: '00000000-0000-4000-8000-0000000000aa', title: 'n' }),
    );
    expect(fresh.version).toBe(1);
  });

  it('50 concurrent updates from one version: exactly one applies, 49 are ConflictErrors, the row shows the winner', async () => {
    const outcomes = await Promise.allSettled(
      Array.from({ length: 50 }, (_, index) =>
        harness.inSession(() => volumes.update(row.id, { title: `writer ${index}`, version: 1 })),
      ),
    );
    const applied = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
    const refused = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as unknown] : []));
    expect(applied).toHaveLength(1);
    expect(refused).toHaveLength(49);
    expect(refused.every((error) => error instanceof ConflictError)).toBe(true);
    expect(await stored(row.id)).toEqual({ title: applied[0].title, version: 2 });
  });
});
