import type { DataSource, QueryRunner } from 'typeorm';
import { isBehindTransactionPooler } from '../session/transaction-pooler';

/** The session variables that bound a statement's run time, per server flavour. */
const TIMEOUT_VARIABLES = ['max_statement_time', 'max_execution_time'] as const;

/**
 * Runs `work` on a query runner of its own without the bind key's statement timeout: a migration
 * (an index build, a table rewrite) may rightly take longer than any request should. The
 * connection gets its timeout back before it returns to the pool.
 */
export async function withMigrationRunner<T>(
  dataSource: DataSource,
  work: (runner: QueryRunner) => Promise<T>,
): Promise<T> {
  const runner = dataSource.createQueryRunner();
  let restore: string | undefined;
  try {
    restore = await liftStatementTimeout(runner, dataSource.options.type);
    return await work(runner);
  } finally {
    try {
      if (restore) await runner.query(restore);
    } finally {
      await runner.release();
    }
  }
}

/** Turns the connection's statement timeout off; returns the statement that puts it back. */
async function liftStatementTimeout(runner: QueryRunner, type: string): Promise<string | undefined> {
  if (type === 'postgres') {
    // Behind a transaction pooler the connections have no timeout to lift (sessions set theirs per
    // transaction), and a session-level SET would stay on a server connection other clients get.
    if (isBehindTransactionPooler(runner.connection)) return undefined;
    await runner.query('SET statement_timeout = 0');
    return 'RESET statement_timeout';
  }
  if (type !== 'mysql' && type !== 'mariadb') return undefined;
  for (const variable of TIMEOUT_VARIABLES) {
    let rows: Array<{ value: unknown }>;
    try {
      rows = (await runner.query(`SELECT @@SESSION.${variable} AS value`)) as Array<{ value: unknown }>;
    } catch {
      continue; // this flavour has the other variable
    }
    const current = Number(rows[0]?.value ?? 0);
    if (!current) return undefined;
    await runner.query(`SET SESSION ${variable} = 0`);
    return `SET SESSION ${variable} = ${current}`;
  }
  return undefined;
}
