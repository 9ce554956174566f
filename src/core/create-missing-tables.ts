import type { DataSource } from 'typeorm';

/**
 * The seed's `create_all`: creates the tables of the bind's entities that do not exist yet, with
 * their indices and foreign keys, and leaves existing tables alone (unlike TypeORM's
 * `synchronize`, which also alters and drops columns).
 */
export async function createMissingTables(dataSource: DataSource): Promise<string[]> {
  const missing = await missingTables(dataSource);
  if (missing.length === 0) return [];
  // The schema builder takes a connection of its own: with a pool of one, no other may be held meanwhile.
  const plan = await dataSource.driver.createSchemaBuilder().log();
  // SQLite adds foreign keys by rebuilding the new table through "temporary_<table>".
  const escaped = missing.flatMap((table) => {
    const name = table.split('.').pop() ?? table;
    return [dataSource.driver.escape(name), dataSource.driver.escape(`temporary_${name}`)];
  });
  const names = missing.map((table) => table.split('.').pop() ?? table);
  const statements = plan.upQueries.filter(
    (query) =>
      escaped.some((name) => mentionsTableAsSubject(query.query, name)) ||
      names.some((name) => createsEnumTypeOf(query.query, name)),
  );
  const runner = dataSource.createQueryRunner();
  try {
    await runner.startTransaction();
    try {
      for (const statement of statements) await runner.query(statement.query, statement.parameters);
      await runner.commitTransaction();
    } catch (error) {
      await runner.rollbackTransaction();
      throw error;
    }
    return missing;
  } finally {
    await runner.release();
  }
}

async function missingTables(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  try {
    const missing: string[] = [];
    for (const metadata of dataSource.entityMetadatas) {
      if (metadata.tableType === 'view') continue;
      if (!(await runner.hasTable(metadata.tablePath))) missing.push(metadata.tablePath);
    }
    return missing;
  } finally {
    await runner.release();
  }
}

/** True for statements whose subject is the table: CREATE/ALTER/DROP TABLE, CREATE INDEX … ON, INSERT INTO. */
function mentionsTableAsSubject(sql: string, escapedName: string): boolean {
  const name = escapedName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const qualified = `(?:[\`"][^\`"]+[\`"]\\.)?${name}`;
  return new RegExp(
    `^(CREATE TABLE|ALTER TABLE|DROP TABLE|INSERT INTO|CREATE (UNIQUE )?INDEX .* ON) ${qualified}(\\s|\\(|$)`,
    'i',
  ).test(sql);
}

/** PostgreSQL enum columns need their type first: TypeORM names it "<table>_<column>_enum". */
function createsEnumTypeOf(sql: string, table: string): boolean {
  const name = table.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^CREATE TYPE (?:"[^"]+"\\.)?"${name}_[^"]*_enum"`, 'i').test(sql);
}
