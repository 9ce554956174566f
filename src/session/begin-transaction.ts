import type { QueryRunner } from 'typeorm';
import type { IsolationLevel } from '../config/engine-config';

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
): Promise<boolean> {
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
