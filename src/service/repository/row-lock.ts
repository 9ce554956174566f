import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { InvalidFilterError } from '../../errors/invalid-filter.error';
import { dialectOf } from '../filters/sql-dialect';
import type { ReadOptions } from './read-options';

/**
 * Adds the row lock the read options ask for. PostgreSQL locks only the entity's rows
 * (`FOR UPDATE OF record`), so joined relations are neither locked nor refused. MariaDB/MySQL lock
 * every row the SELECT reads, joined ones too. SQLite has no row locks and needs none: a session
 * there holds the whole database from its first statement to its end (see docs/services.md), so
 * the lock is left out.
 */
export function applyRowLock<Entity extends ObjectLiteral>(
  query: SelectQueryBuilder<Entity>,
  alias: string,
  options: ReadOptions,
): void {
  if (options.lock === undefined) return;
  const dialect = dialectOf(query.connection.driver);
  if (dialect === 'sqlite') return;
  const type = query.connection.driver.options.type;
  if (options.lock === 'share' && (options.noWait || options.skipLocked) && (type === 'mariadb' || type === 'mysql')) {
    // TypeORM writes MariaDB's share lock as LOCK IN SHARE MODE and drops NOWAIT / SKIP LOCKED from it.
    throw new InvalidFilterError(
      `A share lock with ${options.noWait ? 'noWait' : 'skipLocked'} is not available on ${type}: use lock: "update".`,
    );
  }
  query.setLock(
    options.lock === 'update' ? 'pessimistic_write' : 'pessimistic_read',
    undefined,
    dialect === 'postgres' ? [alias] : undefined,
  );
  if (options.noWait) query.setOnLocked('nowait');
  else if (options.skipLocked) query.setOnLocked('skip_locked');
}
