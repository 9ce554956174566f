import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { DataSource, QueryRunner } from 'typeorm';
import { orderByForeignKeys, type BindTable } from './bind-tables';
import type { TableListener } from './data-dump';
import { escapePath } from './drop-all';
import { jsonToRow, type JsonRow } from './json-row';
import { MigrationError } from './migration-error';

/** Bound parameters per INSERT: below SQLite's historic limit of 999. */
const MAX_PARAMETERS = 900;

/**
 * The inverse of `dumpTables`: inserts the rows of every `<table>.json` of `directory`, referenced
 * tables first, all in one transaction (nothing is loaded when a row fails). On PostgreSQL the
 * sequences of generated ids are moved past the loaded ids. Returns the row counts.
 */
export async function loadTables(
  dataSource: DataSource,
  bindKey: string,
  tables: readonly BindTable[],
  directory: string,
  onTable: TableListener = () => undefined,
): Promise<Map<string, number>> {
  const files = existsSync(directory) ? readdirSync(directory).filter((name) => name.endsWith('.json')) : [];
  const byName = new Map(tables.map((table) => [table.name, table]));
  const unknown = files.filter((file) => !byName.has(basename(file, '.json')));
  if (unknown.length) {
    throw new MigrationError(
      `Bind key "${bindKey}": ${unknown.map((file) => join(directory, file)).join(', ')} match no table of its entities.`,
    );
  }
  const chosen = orderByForeignKeys(files.map((file) => byName.get(basename(file, '.json')) as BindTable));
  const counts = new Map<string, number>();
  const runner = dataSource.createQueryRunner();
  try {
    await runner.startTransaction();
    for (const [index, table] of chosen.entries()) {
      const rows = readRows(join(directory, `${table.name}.json`), bindKey);
      try {
        await insertRows(dataSource, runner, table, rows);
        if (dataSource.options.type === 'postgres') await advanceSequences(dataSource, runner, table);
      } catch (error) {
        throw new MigrationError(
          `Bind key "${bindKey}": loading ${table.name} failed, nothing was loaded: ${(error as Error).message}`,
          { cause: error },
        );
      }
      counts.set(table.name, rows.length);
      onTable(table.name, rows.length, index + 1, chosen.length);
    }
    await runner.commitTransaction();
    return counts;
  } catch (error) {
    if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
    throw error;
  } finally {
    await runner.release();
  }
}

function readRows(file: string, bindKey: string): JsonRow[] {
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!Array.isArray(parsed) || parsed.some((row) => typeof row !== 'object' || row === null || Array.isArray(row))) {
    throw new MigrationError(`Bind key "${bindKey}": ${file} must hold an array of row objects.`);
  }
  return parsed as JsonRow[];
}

/** Multi-row INSERTs of consecutive rows with the same columns. */
async function insertRows(
  dataSource: DataSource,
  runner: QueryRunner,
  table: BindTable,
  rows: readonly JsonRow[],
): Promise<void> {
  const driver = dataSource.driver;
  let start = 0;
  while (start < rows.length) {
    const columns = Object.keys(rows[start]);
    const signature = columns.join('\u0000');
    const perInsert = Math.max(1, Math.floor(MAX_PARAMETERS / Math.max(columns.length, 1)));
    let end = start + 1;
    while (end < rows.length && end - start < perInsert && Object.keys(rows[end]).join('\u0000') === signature) end++;
    const parameters: unknown[] = [];
    const tuples = rows.slice(start, end).map((row) => {
      const values = jsonToRow(dataSource, table.metadata, row);
      return `(${columns
        .map((column) => {
          parameters.push(values[column]);
          return driver.createParameter(`p${parameters.length}`, parameters.length - 1);
        })
        .join(', ')})`;
    });
    const columnList = columns.map((column) => driver.escape(column)).join(', ');
    await runner.query(
      `INSERT INTO ${escapePath(dataSource, table.path)} (${columnList}) VALUES ${tuples.join(', ')}`,
      parameters,
    );
    start = end;
  }
}

/** Explicit ids do not move a PostgreSQL sequence: set it to the highest loaded id. */
async function advanceSequences(dataSource: DataSource, runner: QueryRunner, table: BindTable): Promise<void> {
  const path = escapePath(dataSource, table.path);
  for (const column of table.metadata.columns) {
    if (!column.isGenerated || column.generationStrategy !== 'increment') continue;
    const name = dataSource.driver.escape(column.databaseName);
    await runner.query(
      `SELECT setval(pg_get_serial_sequence($1, $2), COALESCE(MAX(${name}), 1), MAX(${name}) IS NOT NULL) FROM ${path}`,
      [path, column.databaseName],
    );
  }
}
