import type { TestDatabaseKind } from './database-targets';

/**
 * A connection of its own to a test database, outside the application and its pool: what a test
 * reads through it is what another client of the database would see.
 */
export interface DatabaseProbe {
  kind: TestDatabaseKind;
  query<Row = Record<string, unknown>>(sql: string, parameters?: unknown[]): Promise<Row[]>;
  /** Rows in a table, optionally filtered by `WHERE <where>` with `?` placeholders. */
  count(table: string, where?: string, parameters?: unknown[]): Promise<number>;
  close(): Promise<void>;
}

/** Opens a probe on a connection string (`sqlite:///…`, `postgresql://…`, `mariadb://…`/`mysql://…`). */
export async function openProbe(connectionString: string): Promise<DatabaseProbe> {
  const scheme = connectionString.slice(0, connectionString.indexOf(':')).split('+')[0].toLowerCase();
  if (scheme === 'sqlite') return openSqliteProbe(connectionString);
  if (scheme === 'postgresql' || scheme === 'postgres') return openPostgresProbe(connectionString);
  if (scheme === 'mariadb' || scheme === 'mysql') return openMariadbProbe(connectionString);
  throw new Error(`openProbe: unknown scheme in ${scheme}://`);
}

function withCount(probe: Omit<DatabaseProbe, 'count'>, quote: string): DatabaseProbe {
  return {
    ...probe,
    async count(table, where, parameters) {
      const rows = await probe.query<{ n: number | string }>(
        `SELECT COUNT(*) AS n FROM ${quote}${table}${quote}${where ? ` WHERE ${where}` : ''}`,
        parameters,
      );
      return Number(rows[0].n);
    },
  };
}

async function openSqliteProbe(connectionString: string): Promise<DatabaseProbe> {
  const { default: Database } = await import('better-sqlite3');
  const rest = connectionString.replace(/^sqlite[^:]*:\/\//, '');
  const file = rest.startsWith('/') ? rest.slice(1) : rest;
  const db = new Database(file, { fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  return withCount(
    {
      kind: 'sqlite',
      async query<Row>(sql: string, parameters: unknown[] = []) {
        const statement = db.prepare(sql);
        if (statement.reader) return statement.all(...parameters) as Row[];
        statement.run(...parameters);
        return [];
      },
      async close() {
        db.close();
      },
    },
    '"',
  );
}

async function openPostgresProbe(connectionString: string): Promise<DatabaseProbe> {
  const { Client } = await import('pg');
  const client = new Client({ connectionString: connectionString.replace(/^postgres(ql)?[^:]*:/, 'postgresql:') });
  await client.connect();
  return withCount(
    {
      kind: 'postgres',
      async query<Row>(sql: string, parameters: unknown[] = []) {
        let index = 0;
        const numbered = sql.replace(/\?/g, () => `$${++index}`);
        return (await client.query(numbered, parameters)).rows as Row[];
      },
      async close() {
        await client.end();
      },
    },
    '"',
  );
}

async function openMariadbProbe(connectionString: string): Promise<DatabaseProbe> {
  const mysql = await import('mysql2/promise');
  const url = new URL(connectionString.replace(/^[^:]+:/, 'mysql:'));
  const connection = await mysql.createConnection({
    host: url.hostname,
    port: Number(url.port || 3306),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database: decodeURIComponent(url.pathname.slice(1)),
  });
  return withCount(
    {
      kind: 'mariadb',
      async query<Row>(sql: string, parameters: unknown[] = []) {
        const [rows] = await connection.query(sql, parameters);
        return (Array.isArray(rows) ? rows : []) as Row[];
      },
      async close() {
        await connection.end();
      },
    },
    '`',
  );
}
