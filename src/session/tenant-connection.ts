import type { QueryRunner } from 'typeorm';
import { destroyDriverConnection } from './pool-guard';

type Runner = QueryRunner & { databaseConnection?: unknown };

/**
 * A statement sent with TypeORM's own `query`, past the session's wrapper of it (which would
 * begin the pending transaction first): the switch of database is part of taking and giving back
 * the connection, not of the session's work.
 */
function sendDirectly(runner: Runner, sql: string): Promise<unknown> {
  const query = (Object.getPrototypeOf(runner) as QueryRunner).query;
  return query.call(runner, sql);
}

/** MariaDB/MySQL: moves the session's freshly taken connection into its tenant's database. */
export function enterTenantDatabase(runner: Runner, enterSql: string): Promise<unknown> {
  return sendDirectly(runner, enterSql);
}

/**
 * Switches a MariaDB/MySQL connection back to its home database before the pool gets it again. If
 * that fails the connection is destroyed instead: a pooled connection never stays in a tenant's
 * database. Never throws (the session is ending either way).
 */
export async function leaveTenantDatabase(runner: Runner, leaveSql: string): Promise<void> {
  try {
    await sendDirectly(runner, leaveSql);
  } catch {
    destroyDriverConnection(runner.databaseConnection);
  }
}
