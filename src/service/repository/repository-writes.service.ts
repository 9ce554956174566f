import type { ObjectLiteral, Repository } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { InvalidFilterError } from '../../errors/invalid-filter.error';
import { NotFoundError } from '../../errors/not-found.error';
import { FilterContext } from '../filters/filter-context';
import { boundedChunkSize, chunked } from './chunks';
import { primaryKeyFilter, primaryKeyOf, primaryKeyString } from './criteria';
import { givenValues, toEntity, wouldChange } from './entity-values';
import { insertRows } from './insert-rows';
import { assertVersion, suppliedVersion } from './optimistic-lock';
import { AlchemyReadOnlyRepositoryService } from './read-only-repository.service';
import {
  MAX_BOUND_VALUES,
  type ChunkOptions,
  type Criterion,
  type EntityInput,
  type PrimaryKeyValue,
  type UpsertOptions,
  type Where,
} from './repository-types';
import { matchFilter, matchKey, suppliedColumns, upsertRows } from './upsert-rows';
import { prepareVersions } from './upsert-versions';

/** What a `toModelOn…` hook may return: the data, changed or not, now or later. */
export type HookResult<Value> = Value | Promise<Value>;

/**
 * The writing methods but deletes: `create`, `createMany`, `update`, `updateMany`, `upsert`,
 * `upsertMany`, `getOrUpsert`, `getAndUpdate`, and the hooks that shape incoming data. Extend
 * `AlchemyRepositoryService`, which adds the deletes.
 */
export abstract class AlchemyRepositoryWrites<
  Entity extends ObjectLiteral,
> extends AlchemyReadOnlyRepositoryService<Entity> {
  /** Shapes each item `create`/`createMany` receive (hash a password, derive a slug …). Default: as it is. */
  protected toModelOnCreate(data: EntityInput<Entity>): HookResult<EntityInput<Entity>> {
    return data;
  }

  /** Shapes the changes `update`/`updateMany`/`getAndUpdate` receive. Default: as they are. */
  protected toModelOnUpdate(data: EntityInput<Entity>): HookResult<EntityInput<Entity>> {
    return data;
  }

  /** Shapes each item `upsert`/`upsertMany`/`getOrUpsert` receive. Default: as it is. */
  protected toModelOnUpsert(data: EntityInput<Entity>): HookResult<EntityInput<Entity>> {
    return data;
  }

  /** Inserts one row and returns it with its generated id and defaults. */
  async create(data: EntityInput<Entity>): Promise<Entity> {
    const [created] = await this.createMany([data]);
    return created;
  }

  /** Inserts rows, one multi-row INSERT per chunk, and returns them with their generated ids. */
  createMany(data: readonly EntityInput<Entity>[], options: ChunkOptions = {}): Promise<Entity[]> {
    return this.run(async (repository) => {
      const entities: Entity[] = [];
      for (const item of data) entities.push(toEntity(repository, await this.toModelOnCreate(item)));
      for (const chunk of chunked(entities, this.rowsPerStatement(repository, options))) {
        await insertRows(repository, chunk);
      }
      return entities;
    });
  }

  /**
   * Changes the fields `changes` gives (fields left `undefined` keep their value) of the row with
   * this id (or of this entity's row) and returns it. Goes through `save()`, so listeners run and
   * `updatedAt` is touched. `NotFoundError` if the row is gone; with a `@VersionColumn` whose value
   * the changes (or the entity) carry, `ConflictError` if the row has moved past that version.
   */
  update(idOrEntity: PrimaryKeyValue | Entity, changes?: EntityInput<Entity>): Promise<Entity> {
    return this.run(async (repository) => {
      const metadata = repository.metadata;
      const source = await this.toModelOnUpdate(
        changes ?? ((typeof idOrEntity === 'object' ? idOrEntity : {}) as EntityInput<Entity>),
      );
      const expected = suppliedVersion(metadata, source);
      // Read under a row lock when a version is to be checked: a concurrent update of the same
      // version waits here, then sees the version it moved to.
      const current = await this.findByPrimaryKey(
        repository,
        primaryKeyOf(metadata, idOrEntity),
        expected === undefined ? {} : { lock: 'update' },
      );
      assertVersion(metadata, current, expected);
      repository.merge(current, givenValues(metadata, source as object) as EntityInput<Entity>);
      return repository.save(current);
    });
  }

  /** `update` for many rows; each item carries its primary key. `NotFoundError` names the ids missing. */
  updateMany(items: readonly EntityInput<Entity>[], options: ChunkOptions = {}): Promise<Entity[]> {
    return this.run(async (repository) => {
      const metadata = repository.metadata;
      const shaped: EntityInput<Entity>[] = [];
      for (const item of items) shaped.push(await this.toModelOnUpdate(item));
      const ids = items.map((item) => primaryKeyOf(metadata, item));
      const versioned = shaped.some((item) => suppliedVersion(metadata, item) !== undefined);
      const current = new Map<string, Entity>();
      for (const chunk of chunked(ids, this.rowsPerStatement(repository, options))) {
        const criteria: Criterion<Entity>[] = [primaryKeyFilter(metadata, chunk)];
        if (versioned) criteria.push({ lock: 'update' });
        for (const entity of await this.findAll(repository, criteria)) {
          current.set(primaryKeyString(metadata, entity), entity);
        }
      }
      const missing = ids.filter((id) => !current.has(primaryKeyString(metadata, id)));
      if (missing.length > 0) {
        throw new NotFoundError(`${metadata.name} ${missing.map((id) => JSON.stringify(id)).join(', ')} not found.`);
      }
      const updated = shaped.map((item, index) => {
        const entity = current.get(primaryKeyString(metadata, ids[index])) as Entity;
        assertVersion(metadata, entity, suppliedVersion(metadata, item));
        return repository.merge(entity, givenValues(metadata, item as object) as EntityInput<Entity>);
      });
      await repository.save([...new Set(updated)], { chunk: this.rowsPerStatement(repository, options) });
      return updated;
    });
  }

  /** Inserts the row, or updates the row matching it on `matchFields` (default: the primary key). */
  async upsert(data: EntityInput<Entity>, options: UpsertOptions<Entity> = {}): Promise<Entity> {
    const [row] = await this.upsertMany([data], options);
    return row;
  }

  /**
   * `upsert` for many rows with native `ON CONFLICT` / `ON DUPLICATE KEY UPDATE`, one statement per
   * chunk (and per set of supplied fields). Returns the rows as stored, in the order given; of
   * several items with the same match values, the last wins. With a `@VersionColumn`, an item
   * carrying a version that an existing row has moved past is a `ConflictError`.
   */
  upsertMany(data: readonly EntityInput<Entity>[], options: UpsertOptions<Entity> = {}): Promise<Entity[]> {
    return this.run(async (repository) => {
      const metadata = repository.metadata;
      const context = FilterContext.forEntity(repository.manager.dataSource, metadata);
      const fields = options.matchFields ?? metadata.primaryColumns.map((column) => column.propertyPath);
      if (fields.length === 0) throw new InvalidFilterError('An upsert needs at least one match field.');
      const matchColumns = fields.map((field) => context.column(field, 'match').column);
      const latest = new Map<string, Entity>();
      const keys: string[] = [];
      for (const item of data) {
        const entity = toEntity(repository, await this.toModelOnUpsert(item));
        const key = matchKey(matchColumns, entity);
        latest.delete(key); // the last of several items with the same key wins
        latest.set(key, entity);
        keys.push(key);
      }
      const stored = new Map<string, Entity>();
      for (const chunk of chunked([...latest.values()], this.rowsPerStatement(repository, options))) {
        await prepareVersions(repository, matchColumns, chunk, (criteria) => this.findAll(repository, criteria));
        const bySupplied = new Map<string, { rows: Entity[]; columns: ColumnMetadata[] }>();
        for (const row of chunk) {
          const columns = suppliedColumns(metadata, row);
          const signature = columns.map((column) => column.propertyPath).join(',');
          const group = bySupplied.get(signature) ?? { rows: [], columns };
          group.rows.push(row);
          bySupplied.set(signature, group);
        }
        let returned: Entity[] | undefined = [];
        for (const group of bySupplied.values()) {
          const rows = await upsertRows(repository, group.rows, group.columns, matchColumns);
          returned = rows && returned ? [...returned, ...rows] : undefined;
        }
        // Without RETURNING (MariaDB/MySQL), the rows are read back by their match fields.
        const found =
          returned ?? (await this.findAll(repository, [matchFilter(matchColumns, chunk), { withDeleted: true }]));
        for (const row of found) stored.set(matchKey(matchColumns, row), row);
      }
      return keys.map((key) => {
        const row = stored.get(key);
        if (!row) throw new NotFoundError(`The upserted ${metadata.name} could not be read back by its match fields.`);
        return row;
      });
    });
  }

  /**
   * The row matching `match`, updated with `extra` where it differs (`[row, false]`); or a new row
   * made of `match` and `extra` (`[row, true]`).
   */
  async getOrUpsert(match: Where<Entity>, extra?: EntityInput<Entity>): Promise<[Entity, boolean]> {
    const existing = await this.getOneOrNone(match);
    if (existing) {
      if (extra !== undefined) await this.applyChanges(existing, await this.toModelOnUpsert(extra));
      return [existing, false];
    }
    const data = await this.toModelOnUpsert({ ...match, ...extra } as EntityInput<Entity>);
    return [await this.create(data), true];
  }

  /** The row matching `match` (`NotFoundError` if none), with `data` applied: `[row, updated]`, `updated` false when nothing differed. */
  async getAndUpdate(match: Where<Entity>, data: EntityInput<Entity>): Promise<[Entity, boolean]> {
    const existing = await this.getOne(match);
    return [existing, await this.applyChanges(existing, await this.toModelOnUpdate(data))];
  }

  /** Applies the differing fields of `changes` through `save()`; whether anything differed. */
  protected applyChanges(entity: Entity, changes: EntityInput<Entity>): Promise<boolean> {
    return this.run(async (repository) => {
      assertVersion(repository.metadata, entity, suppliedVersion(repository.metadata, changes));
      const values = givenValues(repository.metadata, changes as object);
      if (!wouldChange(repository.metadata, entity, values)) return false;
      await repository.save(repository.merge(entity, values as EntityInput<Entity>));
      return true;
    });
  }

  /** The rows matching, ordered and paginated, with the service's relations (used by the writes). */
  protected findAll(repository: Repository<Entity>, criteria: readonly Criterion<Entity>[]): Promise<Entity[]> {
    return this.fetch(repository, criteria, { paginate: true, order: true });
  }

  protected primaryKeyOf(repository: Repository<Entity>, idOrEntity: PrimaryKeyValue | Entity): PrimaryKeyValue {
    return primaryKeyOf(repository.metadata, idOrEntity);
  }

  /** Rows per statement: the requested chunk size, lowered so a statement binds at most 30 000 values. */
  protected rowsPerStatement(repository: Repository<Entity>, options: ChunkOptions): number {
    return boundedChunkSize(options.chunkSize ?? this.chunkSize, repository.metadata.columns.length, MAX_BOUND_VALUES);
  }
}
