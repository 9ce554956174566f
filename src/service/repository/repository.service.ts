import type { ObjectLiteral, Repository } from 'typeorm';
import { RepositoryError } from '../../errors/repository.error';
import { FilterContext } from '../filters/filter-context';
import { chunked } from './chunks';
import { primaryKeyFilter } from './criteria';
import { AlchemyRepositoryWrites, type HookResult } from './repository-writes.service';
import type { ChunkOptions, Criterion, PrimaryKeyValue } from './repository-types';
import { availableSlug, type SlugOptions } from './slug';

/**
 * The repository service: the reading methods, the writes (`create`, `createMany`, `update`,
 * `updateMany`, `upsert`, `upsertMany`, `getOrUpsert`, `getAndUpdate`), and `delete`,
 * `deleteMany`, `deleteWhere`, `softDelete`, `restore`. Writes go into the current session's
 * transaction; the commit mode decides.
 *
 * ```ts
 * @Injectable()
 * class BookService extends AlchemyRepositoryService<Book> {
 *   constructor(@InjectSession() session: Session) { super(session, Book); }
 * }
 * ```
 */
export class AlchemyRepositoryService<Entity extends ObjectLiteral> extends AlchemyRepositoryWrites<Entity> {
  /** Sees (and may refuse, by throwing) each id `delete`, `deleteMany` and `softDelete` receive. Default: as it is. */
  protected toModelOnDelete(id: PrimaryKeyValue): HookResult<PrimaryKeyValue> {
    return id;
  }

  /** Deletes the row with this id and returns it as it was; `NotFoundError` if there is none. */
  delete(id: PrimaryKeyValue): Promise<Entity> {
    return this.run(async (repository) => {
      const row = await this.findByPrimaryKey(repository, await this.toModelOnDelete(id), { withDeleted: true });
      await this.deleteRows(repository, [row], {});
      return row;
    });
  }

  /** Deletes the rows with these ids, a chunk per statement, and returns those that existed. */
  deleteMany(ids: readonly PrimaryKeyValue[], options: ChunkOptions = {}): Promise<Entity[]> {
    return this.run(async (repository) => {
      const shaped: PrimaryKeyValue[] = [];
      for (const id of ids) shaped.push(await this.toModelOnDelete(id));
      const rows: Entity[] = [];
      for (const chunk of chunked(shaped, this.rowsPerStatement(repository, options))) {
        rows.push(
          ...(await this.findAll(repository, [primaryKeyFilter(repository.metadata, chunk), { withDeleted: true }])),
        );
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

  /**
   * Marks the row deleted (its `@DeleteDateColumn` set to now) and returns it: reads and lists
   * leave it out from then on unless asked `withDeleted`. `NotFoundError` if there is no such row
   * or it is deleted already.
   */
  softDelete(id: PrimaryKeyValue): Promise<Entity> {
    return this.run(async (repository) => {
      this.deleteDateColumn(repository);
      const shaped = await this.toModelOnDelete(id);
      const row = await this.findByPrimaryKey(repository, shaped, { lock: 'update' });
      await this.markRows(repository, [row], 'soft-delete');
      return this.findByPrimaryKey(repository, shaped, { withDeleted: true });
    });
  }

  /** Undoes `softDelete` and returns the row; a row not deleted is returned as it is. `NotFoundError` if there is none. */
  restore(id: PrimaryKeyValue): Promise<Entity> {
    return this.run(async (repository) => {
      const column = this.deleteDateColumn(repository);
      const row = await this.findByPrimaryKey(repository, id, { withDeleted: true, lock: 'update' });
      if (column.getEntityValue(row) === null || column.getEntityValue(row) === undefined) return row;
      await this.markRows(repository, [row], 'restore');
      return this.findByPrimaryKey(repository, id);
    });
  }

  /**
   * A slug of `value` (`"Hello, World!"` → `hello-world`) that no row has in `field` (default
   * `slug`), deleted rows included: the slug itself, else with a short random suffix
   * (`hello-world-x7k2`). Another transaction may take it before you insert, so keep a unique
   * constraint on the column (a `DuplicateKeyError`, 409, then).
   */
  getAvailableSlug(value: string, options: SlugOptions = {}): Promise<string> {
    return this.run((repository) => availableSlug(repository, value, options));
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

  /** Sets (soft delete) or clears (restore) the delete date of these rows, by primary key. */
  private async markRows(repository: Repository<Entity>, rows: readonly Entity[], how: 'soft-delete' | 'restore') {
    const metadata = repository.metadata;
    const condition = primaryKeyFilter(metadata, rows).toCondition(
      FilterContext.forEntity(repository.manager.dataSource, metadata),
    );
    if (!condition) return;
    const query = repository.createQueryBuilder();
    await (how === 'soft-delete' ? query.softDelete() : query.restore())
      .from(metadata.target)
      .where(condition.sql, condition.parameters)
      .execute();
  }

  private deleteDateColumn(repository: Repository<Entity>) {
    const column = repository.metadata.deleteDateColumn;
    if (!column) {
      throw new RepositoryError(
        `${repository.metadata.name} has no @DeleteDateColumn: add one to soft-delete its rows, or use delete().`,
      );
    }
    return column;
  }
}
