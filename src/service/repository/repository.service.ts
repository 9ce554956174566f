import type { ObjectLiteral, Repository } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { InvalidFilterError } from '../../errors/invalid-filter.error';
import { NotFoundError } from '../../errors/not-found.error';
import { CollectionFilter } from '../filters/collection-filter';
import { ComparisonFilter } from '../filters/comparison-filter';
import { FilterContext } from '../filters/filter-context';
import { FilterGroup } from '../filters/filter-group';
import { boundedChunkSize, chunked } from './chunks';
import { primaryKeyFilter, primaryKeyString } from './criteria';
import { givenValues, toEntity, wouldChange } from './entity-values';
import { insertRows } from './insert-rows';
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
import { matchKey, suppliedColumns, upsertRows } from './upsert-rows';

/**
 * The repository service: the reading methods plus `create`, `createMany`, `update`,
 * `updateMany`, `upsert`, `upsertMany`, `getOrUpsert`, `getAndUpdate`, `delete`, `deleteMany` and
 * `deleteWhere`. Writes go into the current session's transaction; the commit mode decides.
 *
 * ```ts
 * @Injectable()
 * class BookService extends AlchemyRepositoryService<Book> {
 *   constructor(@InjectSession() session: Session) { super(session, Book); }
 * }
 * ```
 */
export class AlchemyRepositoryService<Entity extends ObjectLiteral> extends AlchemyReadOnlyRepositoryService<Entity> {
  /** Inserts one row and returns it with its generated id and defaults. */
  async create(data: EntityInput<Entity>): Promise<Entity> {
    const [created] = await this.createMany([data]);
    return created;
  }

  /** Inserts rows, one multi-row INSERT per chunk, and returns them with their generated ids. */
  createMany(data: readonly EntityInput<Entity>[], options: ChunkOptions = {}): Promise<Entity[]> {
    return this.run(async (repository) => {
      const entities = data.map((item) => toEntity(repository, item));
      for (const chunk of chunked(entities, this.rowsPerStatement(repository, options))) {
        await insertRows(repository, chunk);
      }
      return entities;
    });
  }

  /**
   * Changes the fields `changes` gives (fields left `undefined` keep their value) of the row with
   * this id (or of this entity's row) and returns it. Goes through `save()`, so listeners run and
   * `updatedAt` is touched. `NotFoundError` if the row is gone.
   */
  update(idOrEntity: PrimaryKeyValue | Entity, changes?: EntityInput<Entity>): Promise<Entity> {
    return this.run(async (repository) => {
      const current = await this.findByPrimaryKey(repository, this.primaryKeyOf(repository, idOrEntity));
      const source = changes ?? (typeof idOrEntity === 'object' ? idOrEntity : {});
      repository.merge(current, givenValues(repository.metadata, source as object) as EntityInput<Entity>);
      return repository.save(current);
    });
  }

  /** `update` for many rows; each item carries its primary key. `NotFoundError` names the ids missing. */
  updateMany(items: readonly EntityInput<Entity>[], options: ChunkOptions = {}): Promise<Entity[]> {
    return this.run(async (repository) => {
      const metadata = repository.metadata;
      const ids = items.map((item) => this.primaryKeyOf(repository, item as Entity));
      const current = new Map<string, Entity>();
      for (const chunk of chunked(ids, this.rowsPerStatement(repository, options))) {
        for (const entity of await this.findAll(repository, [primaryKeyFilter(metadata, chunk)])) {
          current.set(primaryKeyString(metadata, entity), entity);
        }
      }
      const missing = ids.filter((id) => !current.has(primaryKeyString(metadata, id)));
      if (missing.length > 0) {
        throw new NotFoundError(`${metadata.name} ${missing.map((id) => JSON.stringify(id)).join(', ')} not found.`);
      }
      const updated = items.map((item, index) => {
        const entity = current.get(primaryKeyString(metadata, ids[index])) as Entity;
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
   * several items with the same match values, the last wins.
   */
  upsertMany(data: readonly EntityInput<Entity>[], options: UpsertOptions<Entity> = {}): Promise<Entity[]> {
    return this.run(async (repository) => {
      const metadata = repository.metadata;
      const context = FilterContext.forEntity(repository.manager.dataSource, metadata);
      const fields = options.matchFields ?? metadata.primaryColumns.map((column) => column.propertyPath);
      if (fields.length === 0) throw new InvalidFilterError('An upsert needs at least one match field.');
      const matchColumns = fields.map((field) => context.column(field, 'match').column);
      const latest = new Map<string, Entity>();
      const keys = data.map((item) => {
        const entity = toEntity(repository, item);
        const key = matchKey(matchColumns, entity);
        latest.delete(key); // the last of several items with the same key wins
        latest.set(key, entity);
        return key;
      });
      const stored = new Map<string, Entity>();
      for (const chunk of chunked([...latest.values()], this.rowsPerStatement(repository, options))) {
        const bySupplied = new Map<string, { rows: Entity[]; columns: ColumnMetadata[] }>();
        for (const row of chunk) {
          const columns = suppliedColumns(metadata, row);
          const signature = columns.map((column) => column.propertyPath).join(',');
          const group = bySupplied.get(signature) ?? { rows: [], columns };
          group.rows.push(row);
          bySupplied.set(signature, group);
        }
        for (const group of bySupplied.values()) await upsertRows(repository, group.rows, group.columns, matchColumns);
        const found = await this.findAll(repository, [this.matchFilter(matchColumns, chunk)]);
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
      if (extra !== undefined) await this.applyChanges(existing, extra);
      return [existing, false];
    }
    return [await this.create({ ...match, ...extra } as EntityInput<Entity>), true];
  }

  /** The row matching `match` (`NotFoundError` if none), with `data` applied: `[row, updated]`, `updated` false when nothing differed. */
  async getAndUpdate(match: Where<Entity>, data: EntityInput<Entity>): Promise<[Entity, boolean]> {
    const existing = await this.getOne(match);
    return [existing, await this.applyChanges(existing, data)];
  }

  /** Deletes the row with this id and returns it as it was; `NotFoundError` if there is none. */
  delete(id: PrimaryKeyValue): Promise<Entity> {
    return this.run(async (repository) => {
      const row = await this.findByPrimaryKey(repository, id);
      await this.deleteRows(repository, [row], {});
      return row;
    });
  }

  /** Deletes the rows with these ids, a chunk per statement, and returns those that existed. */
  deleteMany(ids: readonly PrimaryKeyValue[], options: ChunkOptions = {}): Promise<Entity[]> {
    return this.run(async (repository) => {
      const rows: Entity[] = [];
      for (const chunk of chunked(ids, this.rowsPerStatement(repository, options))) {
        rows.push(...(await this.findAll(repository, [primaryKeyFilter(repository.metadata, chunk)])));
      }
      await this.deleteRows(repository, rows, options);
      return rows;
    });
  }

  /** Deletes the rows matching (pagination and ordering included) and returns them. */
  deleteWhere(...criteria: Criterion<Entity>[]): Promise<Entity[]> {
    return this.run(async (repository) => {
      const rows = await this.findAll(repository, criteria);
      await this.deleteRows(repository, rows, {});
      return rows;
    });
  }

  /** Applies the differing fields of `changes` through `save()`; whether anything differed. */
  protected applyChanges(entity: Entity, changes: EntityInput<Entity>): Promise<boolean> {
    return this.run(async (repository) => {
      const values = givenValues(repository.metadata, changes as object);
      if (!wouldChange(repository.metadata, entity, values)) return false;
      await repository.save(repository.merge(entity, values as EntityInput<Entity>));
      return true;
    });
  }

  protected findAll(repository: Repository<Entity>, criteria: readonly Criterion<Entity>[]): Promise<Entity[]> {
    return this.select(repository, criteria, { paginate: true, order: true }).getMany();
  }

  protected async deleteRows(
    repository: Repository<Entity>,
    rows: readonly Entity[],
    options: ChunkOptions,
  ): Promise<void> {
    const metadata = repository.metadata;
    const context = FilterContext.forEntity(repository.manager.dataSource, metadata);
    for (const chunk of chunked(rows, this.rowsPerStatement(repository, options))) {
      const condition = primaryKeyFilter(metadata, chunk).toCondition(context);
      if (!condition) continue;
      await repository
        .createQueryBuilder()
        .delete()
        .from(metadata.target)
        .where(condition.sql, condition.parameters)
        .execute();
    }
  }

  /** Rows whose match fields equal those of one of `rows`. */
  protected matchFilter(columns: readonly ColumnMetadata[], rows: readonly Entity[]): CollectionFilter | FilterGroup {
    if (columns.length === 1) {
      return new CollectionFilter(
        columns[0].propertyPath,
        rows.map((row) => columns[0].getEntityValue(row) as unknown),
      );
    }
    return new FilterGroup(
      'or',
      rows.map(
        (row) =>
          new FilterGroup(
            'and',
            columns.map((column) => new ComparisonFilter(column.propertyPath, 'eq', column.getEntityValue(row))),
          ),
      ),
    );
  }

  protected primaryKeyOf(repository: Repository<Entity>, idOrEntity: PrimaryKeyValue | Entity): PrimaryKeyValue {
    if (typeof idOrEntity !== 'object' || idOrEntity === null) return idOrEntity;
    const metadata = repository.metadata;
    const id = metadata.getEntityIdMap(idOrEntity);
    if (!id) {
      throw new InvalidFilterError(
        `${metadata.name} needs its primary key (${metadata.primaryColumns.map((c) => c.propertyPath).join(', ')}) here.`,
      );
    }
    return metadata.primaryColumns.length === 1
      ? (metadata.primaryColumns[0].getEntityValue(id) as PrimaryKeyValue)
      : id;
  }

  /** Rows per statement: the requested chunk size, lowered so a statement binds at most 30 000 values. */
  protected rowsPerStatement(repository: Repository<Entity>, options: ChunkOptions): number {
    return boundedChunkSize(options.chunkSize ?? this.chunkSize, repository.metadata.columns.length, MAX_BOUND_VALUES);
  }
}
