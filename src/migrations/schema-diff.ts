import type { DataSource, QueryRunner } from 'typeorm';
import type { RecordedStatement } from './sql-recorder';

/** What it takes to bring the database to the entities (`up`) and back (`down`, in execution order). */
export interface SchemaDiff {
  up: RecordedStatement[];
  down: RecordedStatement[];
}

/**
 * Compares the bind key's entities with its database, as TypeORM's `migration:generate` does
 * (`createSchemaBuilder().log()`): nothing is changed, the statements are returned. Tables that no
 * entity maps (the version table among them) are left out.
 */
export async function computeSchemaDiff(dataSource: DataSource): Promise<SchemaDiff> {
  return diffOf(dataSource.driver.createSchemaBuilder());
}

/**
 * What it takes to create every table of the entities on an empty database of the same kind:
 * the schema builder is shown no existing table or view. The baseline of a database whose tables
 * `createAll` (or another tool) made before migrations were used.
 */
export async function computeBaselineDiff(dataSource: DataSource): Promise<SchemaDiff> {
  const builder = dataSource.driver.createSchemaBuilder();
  const seesNothing = Object.create(dataSource) as DataSource;
  Object.defineProperty(seesNothing, 'createQueryRunner', {
    value: (...args: Parameters<DataSource['createQueryRunner']>): QueryRunner => {
      const runner = dataSource.createQueryRunner(...args);
      // No table, no view, and (PostgreSQL) no enum type: the builder then writes their CREATE statements too.
      return Object.assign(runner, {
        getTables: () => Promise.resolve([]),
        getViews: () => Promise.resolve([]),
        hasEnumType: () => Promise.resolve(false),
      });
    },
  });
  Object.assign(builder, { dataSource: seesNothing });
  return diffOf(builder);
}

async function diffOf(builder: ReturnType<DataSource['driver']['createSchemaBuilder']>): Promise<SchemaDiff> {
  const memory = await builder.log();
  const toStatement = (query: { query: string; parameters?: unknown[] }): RecordedStatement =>
    query.parameters?.length ? { sql: query.query, parameters: query.parameters } : { sql: query.query };
  return {
    up: memory.upQueries.map(toStatement),
    // The schema builder lists each change's undo in the order of the changes: run them backwards.
    down: memory.downQueries.map(toStatement).reverse(),
  };
}

/**
 * The statements of `diff` that none of `planned` (what pending migrations would run) performs,
 * compared with whitespace normalised: what `check` reports as not covered by a migration.
 */
export function uncoveredStatements(
  diff: readonly RecordedStatement[],
  planned: readonly RecordedStatement[],
): RecordedStatement[] {
  const covered = new Set(planned.map(normalize));
  return diff.filter((statement) => !covered.has(normalize(statement)));
}

function normalize(statement: RecordedStatement): string {
  const sql = statement.sql.replace(/\s+/g, ' ').trim().replace(/;$/, '');
  return statement.parameters?.length ? `${sql} ${JSON.stringify(statement.parameters)}` : sql;
}
