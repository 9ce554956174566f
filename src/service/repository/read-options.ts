import type { EntityMetadata } from 'typeorm';
import { InvalidFilterError } from '../../errors/invalid-filter.error';
import { filterableFields } from '../filters/filter-context';

/**
 * Relations to load with the rows: names (`['author']`, dotted for depth: `'loans.book'`) or a
 * tree (`{ author: true, loans: { book: true } }`).
 */
export type LoadSpec = readonly string[] | { readonly [relation: string]: true | LoadSpec };

/** A row lock taken by a read: `FOR UPDATE` (`update`) or `FOR SHARE` / `LOCK IN SHARE MODE` (`share`). */
export type LockMode = 'update' | 'share';

/**
 * How a read runs, given among the criteria as a plain object of these keys only
 * (`getOne({ isbn }, { lock: 'update' })`) or as `get(id, options)`'s second argument.
 */
export interface ReadOptions {
  /** Relations to load; replaces the service's `load` for this call (`[]`: none). */
  load?: LoadSpec;
  /** Include soft-deleted rows (entities with a `@DeleteDateColumn`). */
  withDeleted?: boolean;
  /** Lock the rows read until the transaction ends. */
  lock?: LockMode;
  /** With `lock`: fail at once (`LockedError`, 409) instead of waiting for a row another transaction holds. */
  noWait?: boolean;
  /** With `lock`: leave out the rows another transaction holds instead of waiting for them. */
  skipLocked?: boolean;
}

const READ_OPTION_KEYS: ReadonlySet<string> = new Set(['load', 'withDeleted', 'lock', 'noWait', 'skipLocked']);

/**
 * Whether a plain criteria object is read options: every key is an option's name and none is a
 * field of the entity (an entity with a field named `lock` keeps equality criteria on it).
 */
export function isReadOptions(metadata: EntityMetadata, criterion: object): criterion is ReadOptions {
  const keys = Object.keys(criterion);
  if (keys.length === 0) return false;
  const fields = filterableFields(metadata);
  return keys.every((key) => READ_OPTION_KEYS.has(key) && !fields.has(key));
}

/** Checks option values (they may come from untyped code) and merges them, later keys winning. */
export function mergeReadOptions(into: ReadOptions, options: ReadOptions): ReadOptions {
  if (options.lock !== undefined && options.lock !== 'update' && options.lock !== 'share') {
    throw new InvalidFilterError(`lock must be "update" or "share" (got ${JSON.stringify(options.lock)}).`);
  }
  if (options.noWait && options.skipLocked) {
    throw new InvalidFilterError('noWait and skipLocked exclude each other: choose one.');
  }
  const merged = { ...into };
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  if ((merged.noWait || merged.skipLocked) && merged.lock === undefined) {
    throw new InvalidFilterError('noWait and skipLocked need a lock: add lock: "update" or "share".');
  }
  return merged;
}
