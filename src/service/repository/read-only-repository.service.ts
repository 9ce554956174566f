import type { EntityMetadata, EntityTarget, ObjectLiteral, Repository, SelectQueryBuilder } from 'typeorm';
import { mapDatabaseError } from '../../errors/map-database-error';
import { NotFoundError } from '../../errors/not-found.error';
import { RepositoryError } from '../../errors/repository.error';
import type { Session } from '../../session/session';
import { FilterContext } from '../filters/filter-context';
import { LimitOffset } from '../filters/limit-offset';
import { primaryKeyFilter, sortCriteria, type SortedCriteria } from './criteria';
import { InvalidFilterError } from '../../errors/invalid-filter.error';
import { CursorPagination } from '../pagination/cursor-page';
import { applyKeyset } from '../pagination/keyset';
import { OffsetPagination } from './offset-pagination';
import type { LoadSpec, ReadOptions } from './read-options';
import { joinToOnePaths, loadPaths, loadSeparately, separatePaths } from './relation-loading';
import {
  DEFAULT_CHUNK_SIZE,
  type Criterion,
  type PrimaryKeyValue,
  type RepositoryServiceOptions,
} from './repository-types';
import { applyRowLock } from './row-lock';

/** The alias of the entity in the SELECTs the service builds. */
export const ENTITY_ALIAS = 'record';
const TOTAL_ALIAS = 'aa_total_count';

/**
 * The reading half of the repository service: `get`, `getOne`, `getOneOrNone`, `count`, `exists`,
 * `list`, `listAndCount` and `toSchema`. It holds the scoped session, never a repository, so a
 * singleton service works in every request's own transaction. Database errors come out as the
 * repository errors (`NotFoundError`, `DuplicateKeyError` …, else `RepositoryError`).
 */
export class AlchemyReadOnlyRepositoryService<Entity extends ObjectLiteral> {
  protected readonly chunkSize: number;
  /** The relations every read loads unless a call names its own. */
  protected readonly defaultLoad?: LoadSpec;

  constructor(
    protected readonly session: Session,
    readonly entity: EntityTarget<Entity>,
    options: RepositoryServiceOptions = {},
  ) {
    this.chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
    this.defaultLoad = options.load;
  }

  /** The entity's repository in the current session (a new one per call: sessions change per request). */
  protected get repository(): Repository<Entity> {
    return this.session.getRepository(this.entity);
  }

  /** The row with this primary key; `NotFoundError` if there is none. */
  get(id: PrimaryKeyValue, options: ReadOptions = {}): Promise<Entity> {
    return this.run((repository) => this.findByPrimaryKey(repository, id, options));
  }

  /** The one row matching; `NotFoundError` if none does, `RepositoryError` if several do. */
  getOne(...criteria: Criterion<Entity>[]): Promise<Entity> {
    return this.run(async (repository) => {
      const found = await this.findOneOrNone(repository, criteria);
      if (!found) throw new NotFoundError(`No ${repository.metadata.name} matches the given criteria.`);
      return found;
    });
  }

  /** The one row matching, or null; `RepositoryError` if several do. */
  getOneOrNone(...criteria: Criterion<Entity>[]): Promise<Entity | null> {
    return this.run((repository) => this.findOneOrNone(repository, criteria));
  }

  /** How many rows match (ordering and pagination are ignored). */
  count(...criteria: Criterion<Entity>[]): Promise<number> {
    return this.run((repository) => this.select(repository, criteria, { paginate: false, order: false }).getCount());
  }

  /** Whether any row matches. */
  exists(...criteria: Criterion<Entity>[]): Promise<boolean> {
    return this.run((repository) => this.select(repository, criteria, { paginate: false, order: false }).getExists());
  }

  /** The rows matching, ordered (the primary key last, for a stable order) and paginated by the filters. */
  list(...criteria: Criterion<Entity>[]): Promise<Entity[]> {
    return this.run((repository) => this.fetch(repository, criteria, { paginate: true, order: true }));
  }

  /**
   * A page of rows and the number of rows matching in all, in one query (`COUNT(*) OVER()`). A page
   * past the end has no row to carry the total, so then the total is counted separately.
   */
  listAndCount(...criteria: Criterion<Entity>[]): Promise<[Entity[], number]> {
    return this.run(async (repository) => {
      const query = this.select(repository, criteria, { paginate: true, order: true });
      query.addSelect('COUNT(*) OVER()', TOTAL_ALIAS);
      const { entities, raw } = await query.getRawAndEntities<Record<string, unknown>>();
      await this.loadRest(repository, entities, criteria);
      if (entities.length > 0) return [entities, Number(raw[0][TOTAL_ALIAS])];
      const page = sortCriteria(repository.metadata, criteria).page;
      if (!page || page.offset === 0) return [entities, 0];
      return [entities, await this.select(repository, criteria, { paginate: false, order: false }).getCount()];
    });
  }

  /**
   * A keyset page: the rows after the `CursorPage`'s cursor in the order of the `OrderBy` filters
   * (the primary key last), and the cursor of the next page. No `COUNT`, no `OFFSET`: a page costs
   * the same however deep, and rows inserted between pages neither repeat nor skip others.
   * A cursor altered, signed with another key or made for another ordering is an `InvalidFilterError` (400).
   */
  listByCursor(...criteria: Criterion<Entity>[]): Promise<CursorPagination<Entity>> {
    return this.run(async (repository) => {
      const sorted = sortCriteria(repository.metadata, criteria);
      const page = sorted.cursor;
      if (!page) throw new InvalidFilterError('listByCursor needs a CursorPage among its criteria.');
      const query = this.select(repository, criteria, { paginate: false, order: false, join: true });
      const nextCursor = applyKeyset(query, sorted.orderBy, page);
      const { entities, raw } = await query.getRawAndEntities<Record<string, unknown>>();
      const items = entities.slice(0, page.limit);
      await this.loadRest(repository, items, criteria);
      const more = entities.length > page.limit;
      return new CursorPagination(items, page.limit, more ? nextCursor(raw[page.limit - 1]) : null);
    });
  }

  /** `list`/`listAndCount` results as an `OffsetPagination`, with the limit and offset the filters asked for. */
  toSchema<Item = Entity>(
    items: Item[],
    total: number,
    filters: readonly Criterion<Entity>[] = [],
  ): OffsetPagination<Item> {
    const page = [...filters].reverse().find((filter): filter is LimitOffset => filter instanceof LimitOffset);
    return new OffsetPagination(items, page?.limit ?? items.length, page?.offset ?? 0, total);
  }

  /** Runs an operation on the current session's repository, turning database errors into repository errors. */
  protected async run<Result>(operation: (repository: Repository<Entity>) => Promise<Result>): Promise<Result> {
    try {
      return await operation(this.repository);
    } catch (error) {
      throw mapDatabaseError(error);
    }
  }

  /**
   * A SELECT of the entity with the criteria applied; with `order`, ends the ordering with the
   * primary key; with `paginate`, applies the page. The read options decide whether soft-deleted
   * rows are in, the row lock, and (with `order`, as counts need no relations) the to-one joins.
   */
  protected select(
    repository: Repository<Entity>,
    criteria: readonly Criterion<Entity>[],
    options: { paginate: boolean; order: boolean; join?: boolean },
  ): SelectQueryBuilder<Entity> {
    const query = repository.createQueryBuilder(ENTITY_ALIAS);
    const sorted = sortCriteria(repository.metadata, criteria);
    if (sorted.options.withDeleted) query.withDeleted();
    applyRowLock(query, ENTITY_ALIAS, sorted.options);
    if (options.order || options.join) joinToOnePaths(query, ENTITY_ALIAS, this.loadPathsOf(repository, sorted));
    for (const filter of sorted.where) filter.apply(query);
    for (const filter of sorted.custom) filter.apply(query);
    if (options.order) {
      for (const orderBy of sorted.orderBy) orderBy.apply(query);
      const context = FilterContext.of(query);
      for (const column of repository.metadata.primaryColumns) {
        const sql = context.columnSql(column);
        if (!(sql in query.expressionMap.orderBys)) query.addOrderBy(sql, 'ASC');
      }
    }
    if (options.paginate) sorted.page?.apply(query);
    return query;
  }

  /** The rows of `select`, with the relations a join could not load loaded. */
  protected async fetch(
    repository: Repository<Entity>,
    criteria: readonly Criterion<Entity>[],
    options: { paginate: boolean; order: boolean; limit?: number },
  ): Promise<Entity[]> {
    const query = this.select(repository, criteria, options);
    if (options.limit !== undefined) query.limit(options.limit);
    const rows = await query.getMany();
    await this.loadRest(repository, rows, criteria);
    return rows;
  }

  /** Loads the relation paths the SELECT did not join (those through a to-many relation). */
  protected async loadRest(
    repository: Repository<Entity>,
    rows: readonly Entity[],
    criteria: readonly Criterion<Entity>[],
  ): Promise<void> {
    const sorted = sortCriteria(repository.metadata, criteria);
    const separate = separatePaths(this.loadPathsOf(repository, sorted));
    await loadSeparately(repository, rows, separate, sorted.options.withDeleted === true);
  }

  private loadPathsOf(repository: Repository<Entity>, sorted: SortedCriteria) {
    return loadPaths(repository.metadata, sorted.options.load ?? this.defaultLoad);
  }

  protected async findOneOrNone(
    repository: Repository<Entity>,
    criteria: readonly Criterion<Entity>[],
  ): Promise<Entity | null> {
    const found = await this.fetch(repository, criteria, { paginate: false, order: true, limit: 2 });
    if (found.length > 1) {
      throw new RepositoryError(`Several ${repository.metadata.name} rows match criteria that should match one.`);
    }
    return found[0] ?? null;
  }

  protected async findByPrimaryKey(
    repository: Repository<Entity>,
    id: PrimaryKeyValue,
    options: ReadOptions = {},
  ): Promise<Entity> {
    const [found] = await this.fetch(repository, [primaryKeyFilter(repository.metadata, [id]), options], {
      paginate: false,
      order: true,
    });
    if (!found)
      throw new NotFoundError(`${repository.metadata.name} ${describeId(repository.metadata, id)} was not found.`);
    return found;
  }
}

function describeId(metadata: EntityMetadata, id: PrimaryKeyValue): string {
  const text = typeof id === 'object' ? JSON.stringify(metadata.getEntityIdMap(id) ?? id) : String(id);
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
