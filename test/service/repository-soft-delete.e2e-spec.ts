import {
  PublisherService,
  SHELF_ENTITIES,
  SHELF_SERVICES,
  VolumeService,
  type Publisher,
  type Volume,
} from './fixtures/shelf.entities';
import { startServiceHarness, type ServiceHarness } from './fixtures/service-harness';
import { quoted } from './fixtures/sql-names';
import { LimitOffset, NotFoundError, OrderBy, RepositoryError } from 'nestjs-advanced-alchemy';
import { testDatabaseKinds } from 'nestjs-advanced-alchemy/testing';

describe.each(testDatabaseKinds())('repository service: soft delete on %s', (kind) => {
  let harness: ServiceHarness;
  let volumes: VolumeService;
  let publisher: Publisher;
  let rows: Volume[];
  const deletedAt = (id: string) =>
    harness.probe
      .query<{ d: unknown }>(`SELECT ${quoted(kind, 'deletedAt')} AS d FROM shf_volumes WHERE id = ?`, [id])
      .then((found) => (found.length === 0 ? 'no row' : found[0].d === null ? null : 'set'));

  beforeAll(async () => {
    harness = await startServiceHarness(kind, 'svc_soft', { entities: SHELF_ENTITIES, providers: SHELF_SERVICES });
    volumes = harness.app.get(VolumeService);
    publisher = await harness.inSession(() => harness.app.get(PublisherService).create({ name: 'Orbit' }));
  });
  afterAll(() => harness?.close());
  beforeEach(async () => {
    await harness.probe.query('DELETE FROM shf_volumes');
    rows = await harness.inSession(() => volumes.createMany(['A', 'B', 'C'].map((title) => ({ title, publisher }))));
  });

  it('softDelete keeps the row with its delete date set, and returns it', async () => {
    const deleted = await harness.inSession(() => volumes.softDelete(rows[1].id));
    expect(deleted).toMatchObject({ id: rows[1].id, title: 'B', deletedAt: expect.any(Date) });
    expect(await deletedAt(rows[1].id)).toBe('set');
    expect(await deletedAt(rows[0].id)).toBeNull();
  });

  it('reads and lists leave deleted rows out unless asked withDeleted', async () => {
    await harness.inSession(() => volumes.softDelete(rows[1].id));
    await harness.inSession(async () => {
      await expect(volumes.get(rows[1].id)).rejects.toBeInstanceOf(NotFoundError);
      expect((await volumes.get(rows[1].id, { withDeleted: true })).title).toBe('B');
      expect((await volumes.list(new OrderBy('title'))).map((v) => v.title)).toEqual(['A', 'C']);
      expect(await volumes.count()).toBe(2);
      expect(await volumes.exists({ title: 'B' })).toBe(false);
      const [page, total] = await volumes.listAndCount(new LimitOffset(1, 0));
      expect([page.length, total]).toEqual([1, 2]);
      expect((await volumes.list(new OrderBy('title'), { withDeleted: true })).map((v) => v.title)).toEqual([
        'A',
        'B',
        'C',
      ]);
      expect(await volumes.count({ withDeleted: true })).toBe(3);
    });
  });

  it('a loaded relation leaves deleted rows out too', async () => {
    await harness.inSession(() => volumes.softDelete(rows[0].id));
    const loaded = await harness.inSession(() =>
      harness.app.get(PublisherService).get(publisher.id, { load: ['volumes'] }),
    );
    expect(loaded.volumes?.map((volume) => volume.title).sort()).toEqual(['B', 'C']);
  });

  it('restore brings the row back; softDelete of a deleted row is a NotFoundError', async () => {
    await harness.inSession(() => volumes.softDelete(rows[2].id));
    await expect(harness.inSession(() => volumes.softDelete(rows[2].id))).rejects.toBeInstanceOf(NotFoundError);
    const restored = await harness.inSession(() => volumes.restore(rows[2].id));
    expect(restored).toMatchObject({ id: rows[2].id, deletedAt: null });
    expect(await deletedAt(rows[2].id)).toBeNull();
    expect(await harness.inSession(() => volumes.count())).toBe(3);
    // Restoring a row that is not deleted changes nothing; an unknown id is a NotFoundError.
    expect((await harness.inSession(() => volumes.restore(rows[2].id))).title).toBe('C');
    await expect(
      harness.inSession(() => volumes.restore('00000000-0000-4000-8000-000000000000')),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('delete removes a row for good, soft-deleted or not', async () => {
    await harness.inSession(() => volumes.softDelete(rows[0].id));
    await harness.inSession(() => volumes.delete(rows[0].id));
    expect(await deletedAt(rows[0].id)).toBe('no row');
  });

  it('softDelete of an entity without a @DeleteDateColumn says so', async () => {
    const refused = harness.inSession(() => harness.app.get(PublisherService).softDelete(publisher.id));
    await expect(refused).rejects.toBeInstanceOf(RepositoryError);
    await expect(refused).rejects.toThrow(/Publisher has no @DeleteDateColumn/);
  });
});
