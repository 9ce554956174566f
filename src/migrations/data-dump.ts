import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import type { BindTable } from './bind-tables';
import { escapePath } from './drop-all';
import { rowToJson } from './json-row';

/** Reported after each table, for progress output. */
export type TableListener = (table: string, rows: number, position: number, total: number) => void;

/** Writes each table as `<directory>/<table>.json` (rows ordered by primary key); returns the row counts. */
export async function dumpTables(
  dataSource: DataSource,
  tables: readonly BindTable[],
  directory: string,
  onTable: TableListener = () => undefined,
): Promise<Map<string, number>> {
  mkdirSync(directory, { recursive: true });
  const counts = new Map<string, number>();
  for (const [index, table] of tables.entries()) {
    const order = table.metadata.primaryColumns.map((column) => dataSource.driver.escape(column.databaseName));
    const rows = (await dataSource.query(
      `SELECT * FROM ${escapePath(dataSource, table.path)}${order.length ? ` ORDER BY ${order.join(', ')}` : ''}`,
    )) as Record<string, unknown>[];
    const json = rows.map((row) => rowToJson(dataSource, table.metadata, row));
    writeFileSync(join(directory, `${table.name}.json`), `${JSON.stringify(json, null, 2)}\n`);
    counts.set(table.name, rows.length);
    onTable(table.name, rows.length, index + 1, tables.length);
  }
  return counts;
}
