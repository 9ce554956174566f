import type { MultiFilterOptions } from '../filters/multi-filter';
import type { SortOrder } from '../filters/order-by';

/**
 * The query parameters of one field, as Advanced Alchemy's `FilterConfig` gives them:
 * `{ in: true, notIn: true }` → `<field>In` / `<field>NotIn` (lists); `{ boolean: true }` →
 * `<field>=true|false`; `{ choices: [...] }` → `<field>=<one of them>` (`multiple`: a list).
 */
export type FieldFilterConfig =
  { in?: boolean; notIn?: boolean } | { boolean: true } | { choices: readonly string[]; multiple?: boolean };

/** How `@ListQuery()` reads a list endpoint's query parameters. */
export interface ListQueryOptions {
  /** The largest `limit` accepted; a larger one is a 400 naming this maximum. Default 100. */
  maxLimit?: number;
  /** The `limit` when none is given. Default 20 (or `maxLimit` if that is smaller). */
  defaultLimit?: number;
  /** The fields `searchString` searches (ORed). Without them, `searchString` is a 400. */
  searchFields?: string[];
  /** The fields `orderBy` may name; without the option, any field of the entity. */
  orderByFields?: string[];
  /** The ordering when `orderBy` is not given (none by default: primary-key order). */
  defaultOrderBy?: string;
  /** The direction when `sortOrder` is not given. Default `asc`. */
  defaultSortOrder?: SortOrder;
  /** The field `ids` filters on. Default `id`. */
  idField?: string;
  /** The field `createdBefore`/`createdAfter` filter on. Default `createdAt`. */
  createdAtField?: string;
  /** The field `updatedBefore`/`updatedAfter` filter on. Default `updatedAt`. */
  updatedAtField?: string;
  /**
   * `offset` (default): `limit` and `offset` make a `LimitOffset`. `cursor`: `limit` and `cursor`
   * make a `CursorPage` (read with `listByCursor`), and `offset` is refused.
   */
  pagination?: 'offset' | 'cursor';
  /** The key cursors are signed with (see `CursorPageOptions.secret`). */
  cursorSecret?: string | Buffer;
  /** Per-field filter parameters (see `FieldFilterConfig`). */
  fieldFilters?: Readonly<Record<string, FieldFilterConfig>>;
  /** Accept `filter`, a `MultiFilter` JSON tree checked against this allow-list. */
  multiFilter?: MultiFilterOptions;
}

export const DEFAULT_MAX_LIMIT = 100;
export const DEFAULT_LIMIT = 20;
