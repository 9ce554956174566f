import type { DeepPartial } from 'typeorm';
import type { StatementFilter } from '../filters/statement-filter';
import type { LoadSpec, ReadOptions } from './read-options';

/**
 * Equality criteria: `{ isbn: '978…', deletedAt: null }` matches rows whose fields equal the values
 * (`null`: IS NULL). A relation field takes the related id or object. Keys must be fields of the
 * entity and values may not be `undefined` (which would silently match everything).
 */
export type Where<Entity> = {
  [Field in keyof Entity]?: Entity[Field] | RelationKey<Entity[Field]> | null;
};

/** A relation in equality criteria: the related entity, part of it, or its id. */
type RelationKey<Value> = Value extends Date
  ? never
  : Value extends object
    ? DeepPartial<Value> | string | number
    : never;

/**
 * What the reading methods accept, in any number and combination: filters, equality criteria and
 * read options (`{ load, withDeleted, lock, noWait, skipLocked }`).
 */
export type Criterion<Entity> = StatementFilter | Where<Entity> | ReadOptions;

/** What the writing methods accept: a plain object, an instance of a DTO class, or an entity. */
export type EntityInput<Entity> = DeepPartial<Entity>;

/** A primary key value, or for composite keys an object holding every key field. */
export type PrimaryKeyValue = string | number | bigint | Record<string, unknown>;

export interface RepositoryServiceOptions {
  /**
   * Rows per statement for `createMany`, `upsertMany`, `updateMany` and `deleteMany` (default
   * 500). Lowered automatically so one statement never binds more than 30 000 values.
   */
  chunkSize?: number;
  /** Relations every read loads unless a call gives its own `load` (see `ReadOptions`). */
  load?: LoadSpec;
}

export interface ChunkOptions {
  /** Rows per statement for this call; defaults to the service's `chunkSize`. */
  chunkSize?: number;
}

export interface UpsertOptions<Entity> extends ChunkOptions {
  /**
   * The fields identifying an existing row (default: the primary key). They must carry a unique
   * constraint or index together: PostgreSQL and SQLite name it in `ON CONFLICT (…)`; MariaDB
   * and MySQL use whichever unique key the row collides with.
   */
  matchFields?: Array<keyof Entity & string>;
}

export const DEFAULT_CHUNK_SIZE = 500;
/** Bound values per statement we stay under (SQLite allows 32 766, PostgreSQL and MySQL 65 535). */
export const MAX_BOUND_VALUES = 30000;
