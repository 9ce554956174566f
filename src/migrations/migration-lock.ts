import type { DataSource, QueryRunner } from 'typeorm';
import type { AlchemyConfig } from '../config/alchemy-config';

/** The lock a bind key's schema changes at startup (runOnStartup, createAll) take. */
export function schemaLockName(config: AlchemyConfig): string {
  return `${config.bindKey} ${config.migrationConfig.versionTableName}`;
}

/** How often a MySQL/MariaDB instance asks again for the lock another instance holds. */
const MYSQL_POLL_MS = 250;

/**
 * Runs `work` while this process holds the bind key's migration lock, so instances that start
 * together apply pending migrations once: the others wait here, then find nothing left to apply.
 *
 * PostgreSQL: a transaction-level advisory lock, held by a transaction left open on a connection of
 * its own. It works through a transaction pooler (the open transaction keeps its server connection;
 * nothing survives COMMIT), and a process that dies mid-way drops its connection, and the lock with it.
 * MySQL/MariaDB: `GET_LOCK` (no pooler in front of them), asked without blocking so no statement
 * timeout cuts the wait short. SQLite needs none (one writer).
 */
export async function withMigrationLock<T>(dataSource: DataSource, name: string, work: () => Promise<T>): Promise<T> {
  const type = dataSource.options.type;
  if (type !== 'postgres' && type !== 'mysql' && type !== 'mariadb') return work();
  // The lock takes a connection of its own: a pool of one would leave the migrations none.
  if (poolSizeOf(dataSource) < 2) return work();
  const runner = dataSource.createQueryRunner();
  const lockName = `nestjs-advanced-alchemy migrations ${name}`;
  try {
    if (type === 'postgres') return await holdingAdvisoryLock(runner, lockName, work);
    return await holdingNamedLock(runner, lockName, work);
  } finally {
    await runner.release();
  }
}

async function holdingAdvisoryLock<T>(runner: QueryRunner, lockName: string, work: () => Promise<T>): Promise<T> {
  await runner.startTransaction();
  try {
    // The wait is as long as the other instance's migrations: no statement timeout for it.
    await runner.query('SET LOCAL statement_timeout = 0');
    await runner.query('SELECT pg_advisory_xact_lock(hashtext($1))', [lockName]);
    const result = await work();
    await runner.commitTransaction();
    return result;
  } catch (error) {
    await runner.rollbackTransaction().catch(() => undefined);
    throw error;
  }
}

async function holdingNamedLock<T>(runner: QueryRunner, lockName: string, work: () => Promise<T>): Promise<T> {
  for (;;) {
    const rows = (await runner.query('SELECT GET_LOCK(?, 0) AS taken', [lockName])) as Array<{ taken: unknown }>;
    if (Number(rows[0]?.taken) === 1) break;
    await new Promise((resolve) => setTimeout(resolve, MYSQL_POLL_MS));
  }
  try {
    return await work();
  } finally {
    await runner.query('SELECT RELEASE_LOCK(?)', [lockName]).catch(() => undefined);
  }
}

function poolSizeOf(dataSource: DataSource): number {
  const options = dataSource.options as { poolSize?: number; extra?: { max?: number; connectionLimit?: number } };
  return options.poolSize ?? options.extra?.max ?? options.extra?.connectionLimit ?? 10;
}
