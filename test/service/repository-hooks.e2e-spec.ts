import { ForbiddenException, Injectable } from '@nestjs/common';
import { SHELF_ENTITIES, Volume } from './fixtures/shelf.entities';
import { startServiceHarness, type ServiceHarness } from './fixtures/service-harness';
import {
  AlchemyRepositoryService,
  DuplicateKeyError,
  InjectSession,
  slugify,
  type EntityInput,
  type PrimaryKeyValue,
  type Session,
} from 'nestjs-advanced-alchemy';
import { testDatabaseKinds } from 'nestjs-advanced-alchemy/testing';

const PROTECTED_ID = '00000000-0000-4000-8000-00000000beef';

/** Hooks as users write them: a slug derived on create, titles trimmed on every write, a row that may not go. */
@Injectable()
class SluggedVolumeService extends AlchemyRepositoryService<Volume> {
  constructor(@InjectSession() session: Session) {
    super(session, Volume);
  }

  protected override async toModelOnCreate(data: EntityInput<Volume>): Promise<EntityInput<Volume>> {
    const title = data.title?.trim();
    return { ...data, title, slug: data.slug ?? (title ? await this.getAvailableSlug(title) : null) };
  }

  protected override toModelOnUpdate(data: EntityInput<Volume>): EntityInput<Volume> {
    return data.title === undefined ? data : { ...data, title: data.title.trim() };
  }

  protected override toModelOnUpsert(data: EntityInput<Volume>): EntityInput<Volume> {
    return { ...data, genre: data.genre ?? 'unsorted' };
  }

  protected override toModelOnDelete(id: PrimaryKeyValue): PrimaryKeyValue {
    if (id === PROTECTED_ID) throw new ForbiddenException('This volume is kept.');
    return id;
  }
}

describe.each(testDatabaseKinds())('repository service: hooks and getAvailableSlug on %s', (kind) => {
  let harness: ServiceHarness;
  let volumes: SluggedVolumeService;

  beforeAll(async () => {
    harness = await startServiceHarness(kind, 'svc_hooks', {
      entities: SHELF_ENTITIES,
      providers: [SluggedVolumeService],
    });
    volumes = harness.app.get(SluggedVolumeService);
  });
  afterAll(() => harness?.close());

  it('slugify keeps ASCII letters and digits, joined by hyphens', () => {
    expect(slugify('  Crème Brûlée: A Story!  ')).toBe('creme-brulee-a-story');
    expect(slugify('---')).toBe('');
  });

  it('toModelOnCreate shapes each item: a free slug per title, a taken one gets a suffix', async () => {
    const [first] = await harness.inSession(() => volumes.createMany([{ title: ' The Dispossessed ' }]));
    expect(first).toMatchObject({ title: 'The Dispossessed', slug: 'the-dispossessed' });
    const second = await harness.inSession(() => volumes.create({ title: 'The Dispossessed' }));
    expect(second.slug).toMatch(/^the-dispossessed-[a-z0-9]{4}$/);
  });

  it('slugs chosen in one batch can collide: the unique constraint refuses the batch (409)', async () => {
    // Each item's slug is chosen before the one INSERT of the batch, so both get the same free slug.
    const batch = harness.inSession(() =>
      volumes.createMany([{ title: 'Always Coming Home' }, { title: 'Always Coming Home' }]),
    );
    await expect(batch).rejects.toBeInstanceOf(DuplicateKeyError);
    expect(await harness.probe.count('shf_volumes', 'slug = ?', ['always-coming-home'])).toBe(0);
  });

  it('getAvailableSlug counts soft-deleted rows as taken', async () => {
    const row = await harness.inSession(() => volumes.create({ title: 'Lathe of Heaven' }));
    await harness.inSession(() => volumes.softDelete(row.id));
    expect(await harness.inSession(() => volumes.getAvailableSlug('Lathe of Heaven'))).toMatch(/^lathe-of-heaven-/);
  });

  it('toModelOnUpdate and toModelOnUpsert shape the data of their methods', async () => {
    const row = await harness.inSession(() => volumes.create({ title: 'Rocannon' }));
    expect((await harness.inSession(() => volumes.update(row.id, { title: '  Rocannon’s World ' }))).title).toBe(
      'Rocannon’s World',
    );
    const upserted = await harness.inSession(() => volumes.upsert({ id: row.id, title: 'Rocannon’s World' }));
    expect(upserted.genre).toBe('unsorted');
    expect(await harness.probe.count('shf_volumes', 'id = ? AND genre = ?', [row.id, 'unsorted'])).toBe(1);
  });

  it('toModelOnDelete may refuse: nothing is deleted', async () => {
    await harness.inSession(() => volumes.create({ id: PROTECTED_ID, title: 'Kept' } as EntityInput<Volume>));
    await expect(harness.inSession(() => volumes.delete(PROTECTED_ID))).rejects.toBeInstanceOf(ForbiddenException);
    await expect(harness.inSession(() => volumes.softDelete(PROTECTED_ID))).rejects.toBeInstanceOf(ForbiddenException);
    expect(await harness.probe.count('shf_volumes', 'id = ?', [PROTECTED_ID])).toBe(1);
  });
});
