import type { DatabaseProbe } from 'nestjs-advanced-alchemy/testing';

/** The tables of the probe's database (SQLite's internal ones left out), sorted. */
export async function listTables(probe: DatabaseProbe): Promise<string[]> {
  const sql = {
    sqlite: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    postgres: "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'",
    mariadb: 'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()',
  }[probe.kind];
  const rows = await probe.query<{ name: string }>(sql);
  return rows.map((row) => row.name).sort();
}

/** The column names of a table, sorted. */
export async function listColumns(probe: DatabaseProbe, table: string): Promise<string[]> {
  const sql = {
    sqlite: 'SELECT name FROM pragma_table_info(?)',
    postgres:
      "SELECT column_name AS name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = ?",
    mariadb:
      'SELECT column_name AS name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ?',
  }[probe.kind];
  const rows = await probe.query<{ name: string }>(sql, [table]);
  return rows.map((row) => row.name).sort();
}

/** The revisions recorded in a TypeORM version table, in the order they were applied. */
export async function recordedRevisions(probe: DatabaseProbe, table = 'migrations'): Promise<string[]> {
  const quote = probe.kind === 'mariadb' ? '`' : '"';
  const rows = await probe.query<{ name: string }>(`SELECT name FROM ${quote}${table}${quote} ORDER BY id`);
  return rows.map((row) => row.name);
}
