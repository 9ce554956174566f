import type { EntityMetadata } from 'typeorm';
import { InvalidFilterError } from '../../errors/invalid-filter.error';
import { CollectionFilter } from '../filters/collection-filter';
import { ComparisonFilter } from '../filters/comparison-filter';
import { describeField, filterableFields } from '../filters/filter-context';
import { FilterGroup } from '../filters/filter-group';
import { LimitOffset } from '../filters/limit-offset';
import { NullFilter } from '../filters/null-filter';
import { OrderBy } from '../filters/order-by';
import { StatementFilter, WhereFilter } from '../filters/statement-filter';
import { CursorPage } from '../pagination/cursor-page';
import { isReadOptions, mergeReadOptions, type ReadOptions } from './read-options';
import type { Criterion, PrimaryKeyValue } from './repository-types';

/** Criteria sorted by what they do to a SELECT. */
export interface SortedCriteria {
  where: WhereFilter[];
  orderBy: OrderBy[];
  page?: LimitOffset;
  /** The last `CursorPage`, for `listByCursor`. */
  cursor?: CursorPage;
  /** Filters of user-defined classes, applied as they are. */
  custom: StatementFilter[];
  /** Read options given among the criteria, merged in order. */
  options: ReadOptions;
}

/** Sorts criteria; equality objects become filters. The last `LimitOffset` wins. */
export function sortCriteria<Entity>(metadata: EntityMetadata, criteria: readonly Criterion<Entity>[]): SortedCriteria {
  const sorted: SortedCriteria = { where: [], orderBy: [], custom: [], options: {} };
  for (const criterion of criteria) {
    if (criterion instanceof WhereFilter) sorted.where.push(criterion);
    else if (criterion instanceof OrderBy) sorted.orderBy.push(criterion);
    else if (criterion instanceof LimitOffset) sorted.page = criterion;
    else if (criterion instanceof CursorPage) sorted.cursor = criterion;
    else if (criterion instanceof StatementFilter) sorted.custom.push(criterion);
    else if (isPlainObject(criterion) && isReadOptions(metadata, criterion)) {
      sorted.options = mergeReadOptions(sorted.options, criterion);
    } else sorted.where.push(...equalityFilters(metadata, criterion));
  }
  return sorted;
}

/** `{ field: value, … }` as filters: equality, `null` as IS NULL, a related object as its id. */
export function equalityFilters(metadata: EntityMetadata, where: unknown): WhereFilter[] {
  if (where === null || typeof where !== 'object' || Array.isArray(where)) {
    throw new InvalidFilterError(`Criteria must be filters or { field: value } objects (got ${describeValue(where)}).`);
  }
  return Object.entries(where).map(([field, value]) => {
    if (value === undefined) {
      throw new InvalidFilterError(
        `${describeField(field)} is undefined in the criteria: pass null to match NULL, or leave the field out.`,
      );
    }
    if (value === null) return new NullFilter(field);
    return new ComparisonFilter(field, 'eq', relatedKey(metadata, field, value));
  });
}

/** For a relation field given an object, the value of the column its join column refers to. */
function relatedKey(metadata: EntityMetadata, field: string, value: unknown): unknown {
  if (typeof value !== 'object' || value === null || value instanceof Date || Array.isArray(value)) return value;
  const referenced = filterableFields(metadata).get(field)?.referencedColumn;
  if (!referenced) return value;
  const key: unknown = referenced.getEntityValue(value as Record<string, unknown>);
  if (key === undefined) {
    throw new InvalidFilterError(`${describeField(field)} needs the related ${referenced.propertyPath} to match on.`);
  }
  return key;
}

/** Rows whose primary key is one of `ids` (objects holding every key field for composite keys). */
export function primaryKeyFilter(metadata: EntityMetadata, ids: readonly PrimaryKeyValue[]): WhereFilter {
  const columns = metadata.primaryColumns;
  if (columns.length === 1) {
    const column = columns[0];
    return new CollectionFilter(
      column.propertyPath,
      ids.map((id) => (typeof id === 'object' && id !== null ? column.getEntityValue(id) : id)),
    );
  }
  return new FilterGroup(
    'or',
    ids.map((id) => {
      if (typeof id !== 'object' || id === null) {
        throw new InvalidFilterError(
          `${metadata.name} has a composite primary key: give ids as objects with ${columns.map((c) => c.propertyPath).join(', ')}.`,
        );
      }
      return new FilterGroup(
        'and',
        columns.map((column) => new ComparisonFilter(column.propertyPath, 'eq', column.getEntityValue(id))),
      );
    }),
  );
}

/** The primary key of an id or an entity (`InvalidFilterError` if the entity lacks it). */
export function primaryKeyOf(metadata: EntityMetadata, idOrEntity: unknown): PrimaryKeyValue {
  if (typeof idOrEntity !== 'object' || idOrEntity === null) return idOrEntity as PrimaryKeyValue;
  const id = metadata.getEntityIdMap(idOrEntity);
  if (!id) {
    throw new InvalidFilterError(
      `${metadata.name} needs its primary key (${metadata.primaryColumns.map((c) => c.propertyPath).join(', ')}) here.`,
    );
  }
  return metadata.primaryColumns.length === 1 ? (metadata.primaryColumns[0].getEntityValue(id) as PrimaryKeyValue) : id;
}

/** A string identifying a row by its primary key (UUIDs compared without case). */
export function primaryKeyString(metadata: EntityMetadata, entityOrId: unknown): string {
  const values = metadata.primaryColumns.map((column) => {
    const value: unknown =
      typeof entityOrId === 'object' && entityOrId !== null
        ? column.getEntityValue(entityOrId as Record<string, unknown>)
        : entityOrId;
    return keyPart(value);
  });
  return values.join('\u0000');
}

/** A value as part of a lookup key: dates by instant, UUID-like text without case. */
export function keyPart(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (value === null || value === undefined) return '\u0001';
  const text = String(value);
  return /^[0-9a-f-]{36}$/i.test(text) ? text.toLowerCase() : text;
}

function isPlainObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
