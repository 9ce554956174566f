import { QueryResult, type DataSource, type QueryRunner } from 'typeorm';

/** A statement a migration would have sent, with its parameters. */
export interface RecordedStatement {
  sql: string;
  parameters?: unknown[];
}

/** Reads run for real in a recording session, so introspection (`hasTable`, the version table) still works. */
const READ_STATEMENT = /^\s*(SELECT|SHOW|EXPLAIN|DESCRIBE|PRAGMA\s+[\w.]+\s*(\(|;|$))/i;

/**
 * A query runner that sends reads to the database but records every other statement instead of
 * running it: what `upgrade --sql` / `downgrade --sql` print. Statements a migration makes through
 * `queryRunner.query()` and through the schema API (`createTable` …) are both recorded, in order.
 * A migration that reads data sees the database as it is now, not as earlier recorded statements
 * would have left it.
 */
export function createRecordingRunner(dataSource: DataSource): {
  runner: QueryRunner;
  statements: RecordedStatement[];
} {
  const runner = dataSource.createQueryRunner();
  const statements: RecordedStatement[] = [];
  const realQuery = runner.query.bind(runner);
  runner.query = (async (sql: string, parameters?: unknown[], useStructuredResult?: boolean) => {
    if (READ_STATEMENT.test(sql)) return realQuery(sql, parameters, useStructuredResult as true);
    statements.push(parameters?.length ? { sql, parameters } : { sql });
    return useStructuredResult ? Object.assign(new QueryResult(), { records: [], raw: [] }) : [];
  }) as QueryRunner['query'];
  return { runner, statements };
}

/** A recorded statement as SQL text ending with `;`, its parameters written in where that is safe. */
export function renderStatement(statement: RecordedStatement): string {
  const sql = statement.sql.trim().replace(/;\s*$/, '');
  const parameters = statement.parameters ?? [];
  if (parameters.length === 0) return `${sql};`;
  const inlined = inlineParameters(sql, parameters);
  return inlined === undefined ? `${sql}; -- parameters: ${JSON.stringify(parameters)}` : `${inlined};`;
}

/** Replaces `?` / `$n` placeholders outside quotes with literals; undefined when the values are not simple. */
function inlineParameters(sql: string, parameters: unknown[]): string | undefined {
  const literals = parameters.map(literalOf);
  if (literals.some((literal) => literal === undefined)) return undefined;
  let next = 0;
  let used = 0;
  const result = sql.replace(/('(?:[^']|'')*'|"[^"]*"|`[^`]*`)|\?|\$(\d+)/g, (match, quoted, index) => {
    if (quoted !== undefined) return match;
    const literal = literals[index === undefined ? next++ : Number(index) - 1];
    used++;
    return literal ?? match;
  });
  return used > 0 ? result : undefined;
}

function literalOf(value: unknown): string | undefined {
  if (value === null) return 'NULL';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'string') return `'${value.replace(/'/g, "''")}'`;
  if (value instanceof Date) return `'${value.toISOString()}'`;
  return undefined;
}
