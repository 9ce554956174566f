import type { DataSource, QueryRunner } from 'typeorm';
import { bindTables, orderByForeignKeys } from './bind-tables';

/**
 * The seed's `drop-all`: drops every table of the bind key's entities that exists, the version
 * table and TypeORM's metadata table (and, on PostgreSQL, the enum types of those tables), so
 * `upgrade` can start again from an empty database. Returns the names of what it dropped.
 */
export async function dropAllTables(dataSource: DataSource, versionTable: string): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  const type = dataSource.options.type;
  const driver = dataSource.driver;
  const metadataTable = driver.buildTableName(
    dataSource.metadataTableName,
    (driver.options as { schema?: string }).schema,
    driver.database,
  );
  try {
    // Referencing tables first; foreign key checks are off as well, for reference cycles.
    const candidates = [
      ...orderByForeignKeys(bindTables(dataSource))
        .reverse()
        .map((table) => table.path),
      versionTable,
      metadataTable,
    ];
    const existing: string[] = [];
    for (const path of candidates) if (await runner.hasTable(path)) existing.push(path);
    await withoutForeignKeyChecks(runner, type, async () => {
      for (const path of existing) await runner.query(`DROP TABLE ${escapePath(dataSource, path)}`);
    });
    if (type === 'postgres') await dropEnumTypes(dataSource, runner);
    return existing;
  } finally {
    await runner.release();
  }
}

async function withoutForeignKeyChecks(runner: QueryRunner, type: string, work: () => Promise<void>): Promise<void> {
  const [off, on] =
    type === 'better-sqlite3' || type === 'sqlite'
      ? ['PRAGMA foreign_keys = OFF', 'PRAGMA foreign_keys = ON']
      : type === 'mysql' || type === 'mariadb'
        ? ['SET FOREIGN_KEY_CHECKS = 0', 'SET FOREIGN_KEY_CHECKS = 1']
        : [undefined, undefined];
  if (off) await runner.query(off);
  try {
    await work();
  } finally {
    if (on) await runner.query(on);
  }
}

/** TypeORM creates a type per enum column on PostgreSQL; they would block creating the tables again. */
async function dropEnumTypes(dataSource: DataSource, runner: QueryRunner): Promise<void> {
  for (const table of bindTables(dataSource)) {
    for (const column of table.metadata.columns) {
      if (column.type !== 'enum' && column.type !== 'simple-enum') continue;
      const name = column.enumName ?? `${table.name}_${column.databaseName.toLowerCase()}_enum`;
      const path = table.metadata.schema ? `${table.metadata.schema}.${name}` : name;
      await runner.query(`DROP TYPE IF EXISTS ${escapePath(dataSource, path)}`);
    }
  }
}

/** `schema.table` → `"schema"."table"` in the driver's quoting. */
export function escapePath(dataSource: DataSource, path: string): string {
  return path
    .split('.')
    .map((part) => dataSource.driver.escape(part))
    .join('.');
}
