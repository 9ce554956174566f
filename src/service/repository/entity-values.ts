import type { DeepPartial, EntityMetadata, ObjectLiteral, Repository } from 'typeorm';
import { InvalidValueError } from '../../errors/invalid-value.error';

/**
 * The entity for a write: an entity instance as it is; a plain object or DTO instance through
 * `repository.create`, which copies the entity's own fields only and makes a real instance (so
 * `@BeforeInsert` listeners and the base entities' id generation run).
 */
export function toEntity<Entity extends ObjectLiteral>(repository: Repository<Entity>, input: unknown): Entity {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new TypeError(
      `${repository.metadata.name} data must be an object (got ${input === null ? 'null' : typeof input}).`,
    );
  }
  const target = repository.metadata.target;
  const entity =
    typeof target === 'function' && input instanceof target
      ? (input as Entity)
      : repository.create(input as DeepPartial<Entity>);
  rejectUnstorableText(repository.metadata, entity);
  return entity;
}

/**
 * PostgreSQL refuses a NUL character in text ("invalid byte sequence for encoding UTF8: 0x00"),
 * and its error names no column: say which field holds one, before anything is sent.
 */
function rejectUnstorableText(metadata: EntityMetadata, values: object): void {
  if (metadata.connection.options.type !== 'postgres') return;
  for (const column of metadata.columns) {
    const value: unknown = column.getEntityValue(values);
    if (typeof value === 'string' && value.includes('\u0000')) {
      throw new InvalidValueError(
        `${column.propertyName} contains a NUL character (\\u0000), which PostgreSQL cannot store in text: remove it.`,
      );
    }
  }
}

/**
 * The fields `source` gives a value to (not `undefined`), other than the primary key and the
 * version (which the write checks, and TypeORM increments): what an update changes. Unknown
 * properties (a DTO's extras) are left out.
 */
export function givenValues(metadata: EntityMetadata, source: object): ObjectLiteral {
  const values: ObjectLiteral = {};
  for (const column of metadata.columns) {
    if (column.isPrimary || column.isVersion || column.isVirtual || column.isVirtualProperty) continue;
    const value: unknown = column.getEntityValue(source);
    if (value !== undefined) column.setEntityValue(values, value);
  }
  for (const relation of metadata.relations) {
    const value: unknown = relation.getEntityValue(source);
    if (value !== undefined) relation.setEntityValue(values, value);
  }
  rejectUnstorableText(metadata, values);
  return values;
}

/** Whether applying `changes` to `entity` would change any column value. */
export function wouldChange(metadata: EntityMetadata, entity: ObjectLiteral, changes: ObjectLiteral): boolean {
  const columnChanged = metadata.columns.some((column) => {
    if (column.isPrimary || column.isVirtual || column.isVirtualProperty) return false;
    const next: unknown = column.getEntityValue(changes);
    return next !== undefined && !sameValue(column.getEntityValue(entity), next);
  });
  return columnChanged || metadata.relations.some((relation) => relation.getEntityValue(changes) !== undefined);
}

/** Equality as a database sees it: dates by instant, numbers and numeric strings by value, JSON by content. */
export function sameValue(current: unknown, next: unknown): boolean {
  if (current === next) return true;
  if (current === null || next === null || current === undefined || next === undefined) return false;
  if (current instanceof Date || next instanceof Date) {
    return new Date(current as Date).getTime() === new Date(next as Date).getTime();
  }
  if (typeof current === 'object' || typeof next === 'object') return JSON.stringify(current) === JSON.stringify(next);
  if (typeof current === 'number' || typeof next === 'number' || typeof current === 'bigint') {
    return String(current) === String(next);
  }
  return false;
}
