import type { QueryRunner } from 'typeorm';
import type { IsolationLevel } from '../config/engine-config';
import { pooledBeginSql } from './transaction-pooler';

/** How a transaction begins: its isolation level (undefined = the database's default) and access mode. */
export interface TransactionCharacteristics {
  isolationLevel?: IsolationLevel;
  readOnly: boolean;
}

/**
 * BEGIN with an isolation level and access mode: MySQL/MariaDB take READ ONLY before
 * START TRANSACTION, PostgreSQL after it. SQLite has no read-only transactions, so the connection
 * is made read-only (`PRAGMA query_only`): true is returned, and `leaveQueryOnly` must run before
 * the transaction ends (the connection is shared by every session of the bind key).
 */
export async function beginTransaction(
  runner: QueryRunner,
  type: string,
  { isolationLevel, readOnly }: TransactionCharacteristics,
  /** Behind a transaction pooler (PostgreSQL): the statement timeout the transaction sets for itself. */
  pooledTimeoutMs?: number,
): Promise<boolean> {
  if (type === 'postgres' && pooledTimeoutMs !== undefined && !runner.isTransactionActive) {
    await startPooledTransaction(runner, isolationLevel, readOnly, pooledTimeoutMs);
    return false;
  }
  if (readOnly && (type === 'mysql' || type === 'mariadb')) {
    await runner.query(`SET TRANSACTION ${isolationLevel ? `ISOLATION LEVEL ${isolationLevel}, ` : ''}READ ONLY`);
    await runner.startTransaction(undefined);
    return false;
  }
  await runner.startTransaction(isolationLevel);
  if (!readOnly) return false;
  if (type === 'postgres') await runner.query('SET TRANSACTION READ ONLY');
  if (type !== 'better-sqlite3') return false;
  await runner.query('PRAGMA query_only = ON');
  return true;
}

export function leaveQueryOnly(runner: QueryRunner): Promise<unknown> {
  return runner.query('PRAGMA query_only = OFF');
}

/**
 * TypeORM's `startTransaction` (its bookkeeping and events) with the BEGIN it sends replaced by one
 * that carries the access mode and `SET LOCAL statement_timeout`: one round trip instead of up to three.
 */
async function startPooledTransaction(
  runner: QueryRunner,
  isolationLevel: IsolationLevel | undefined,
  readOnly: boolean,
  timeoutMs: number,
): Promise<void> {
  const level = isolationLevel ?? runner.connection.options.isolationLevel;
  const own = Object.getOwnPropertyDescriptor(runner, 'query');
  const query = runner.query;
  runner.query = ((sql: string, ...rest: unknown[]) => {
    if (sql === 'START TRANSACTION') return query.call(runner, pooledBeginSql(level, readOnly, timeoutMs));
    // Already part of the BEGIN above.
    if (sql.startsWith('SET TRANSACTION ISOLATION LEVEL ')) return Promise.resolve(undefined);
    return (query as (...args: unknown[]) => Promise<unknown>).call(runner, sql, ...rest);
  }) as QueryRunner['query'];
  try {
    await runner.startTransaction(level);
  } finally {
    if (own) Object.defineProperty(runner, 'query', own);
    else delete (runner as { query?: unknown }).query;
  }
}
