import type { EntityMetadata, ObjectLiteral } from 'typeorm';
import { ConflictError } from '../../errors/conflict.error';
import { InvalidFilterError } from '../../errors/invalid-filter.error';

/**
 * The version a write carries for the entity's `@VersionColumn`, if it has one and the write gives
 * it: the version the caller read, which the row must still have.
 */
export function suppliedVersion(metadata: EntityMetadata, data: unknown): number | undefined {
  const column = metadata.versionColumn;
  if (!column || typeof data !== 'object' || data === null) return undefined;
  const value: unknown = column.getEntityValue(data as ObjectLiteral);
  if (value === undefined || value === null) return undefined;
  const version = typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value;
  if (typeof version !== 'number' || !Number.isSafeInteger(version)) {
    throw new InvalidFilterError(`${metadata.name}.${column.propertyPath} must be a whole number (the version read).`);
  }
  return version;
}

/**
 * `ConflictError` (409) when the stored row is no longer at the version the write was based on.
 * TypeORM's `save()` does not check this (it only increments the column), so the service reads
 * the row under a lock and compares before writing.
 */
export function assertVersion(metadata: EntityMetadata, stored: ObjectLiteral, expected: number | undefined): void {
  const column = metadata.versionColumn;
  if (!column || expected === undefined) return;
  const current = Number(column.getEntityValue(stored));
  if (current === expected) return;
  const id = metadata.getEntityIdMap(stored);
  const shownId =
    id && metadata.primaryColumns.length === 1
      ? String(metadata.primaryColumns[0].getEntityValue(id))
      : JSON.stringify(id);
  throw new ConflictError(
    `${metadata.name} ${shownId} was changed by someone else: it is at version ${current}, the change was made ` +
      `on version ${expected}. Read it again and retry.`,
    metadata.name,
  );
}
