/** The kinds of database the test kit can provision. */
export type TestDatabaseKind = 'sqlite' | 'postgres' | 'mariadb';

/** Environment variables naming the servers (their database is used only to create per-file databases). */
export const SERVER_URL_VARIABLES: Record<Exclude<TestDatabaseKind, 'sqlite'>, string> = {
  postgres: 'ALCHEMY_TEST_POSTGRES_URL',
  mariadb: 'ALCHEMY_TEST_MARIADB_URL',
};

export const DEFAULT_SERVER_URLS: Record<Exclude<TestDatabaseKind, 'sqlite'>, string> = {
  postgres: 'postgresql://postgres@127.0.0.1:5432/test',
  mariadb: 'mariadb://root@127.0.0.1:3306/test',
};

/** Set by the jest global setup: the kinds found reachable, comma-separated. */
export const AVAILABLE_VARIABLE = 'ALCHEMY_TEST_DATABASES';

/** The server URL of a kind: its environment variable, else the local default. */
export function serverUrl(kind: Exclude<TestDatabaseKind, 'sqlite'>): string {
  return process.env[SERVER_URL_VARIABLES[kind]] ?? DEFAULT_SERVER_URLS[kind];
}

/**
 * The databases to run a suite on: SQLite always, PostgreSQL and MariaDB where reachable (as the
 * global setup found them), or exactly those listed in ALCHEMY_TEST_DATABASES.
 */
export function testDatabaseKinds(): TestDatabaseKind[] {
  const listed = process.env[AVAILABLE_VARIABLE];
  if (listed === undefined) return ['sqlite'];
  return listed
    .split(',')
    .map((kind) => kind.trim())
    .filter((kind): kind is TestDatabaseKind => kind === 'sqlite' || kind === 'postgres' || kind === 'mariadb');
}
