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
  /** A tenant's `SET LOCAL search_path` (PostgreSQL, src/tenancy): sent in the BEGIN's round trip. */
  tenantBeginSql?: string,
): Promise<boolean> {
  if (type === 'postgres' && (pooledTimeoutMs !== undefined || tenantBeginSql) && !runner.isTransactionActive) {
    const begin =
      pooledTimeoutMs !== undefined
        ? pooledBeginSql(isolationLevel ?? levelOf(runner), readOnly, pooledTimeoutMs)
        : plainBeginSql(isolationLevel ?? levelOf(runner), readOnly);
    await startTransactionWith(runner, isolationLevel, tenantBeginSql ? `${begin}; ${tenantBeginSql}` : begin);
    return false;
  }
  if (tenantBeginSql) {
    // Inside a transaction already open (the testing kit's): a savepoint, then the setting.
    await beginTransaction(runner, type, { isolationLevel, readOnly }, pooledTimeoutMs);
    await runner.query(tenantBeginSql);
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

function levelOf(runner: QueryRunner): IsolationLevel | undefined {
  return runner.connection.options.isolationLevel as IsolationLevel | undefined;
}

/** PostgreSQL's BEGIN with its characteristics in one statement. */
function plainBeginSql(isolationLevel: string | undefined, readOnly: boolean): string {
  const modes = [isolationLevel ? `ISOLATION LEVEL ${isolationLevel}` : '', readOnly ? 'READ ONLY' : '']
    .filter(Boolean)
    .join(', ');
  return `START TRANSACTION${modes ? ` ${modes}` : ''}`;
}

/**
 * TypeORM's `startTransaction` (its bookkeeping and events) with the BEGIN it sends replaced by
 * `beginSql`, which carries the access mode and what the transaction sets for itself
 * (`SET LOCAL …`): one round trip instead of up to three.
 */
async function startTransactionWith(
  runner: QueryRunner,
  isolationLevel: IsolationLevel | undefined,
  beginSql: string,
): Promise<void> {
  const level = isolationLevel ?? levelOf(runner);
  const own = Object.getOwnPropertyDescriptor(runner, 'query');
  const query = runner.query;
  runner.query = ((sql: string, ...rest: unknown[]) => {
    if (sql === 'START TRANSACTION') return query.call(runner, beginSql);
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
