import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serverUrl, type TestDatabaseKind } from './database-targets';
import { openProbe } from './probe';

/** An isolated database made for one test file; `drop()` removes it. */
export interface TestDatabase {
  kind: TestDatabaseKind;
  /** Connection string for `AlchemyConfig.connectionString`. */
  connectionString: string;
  drop(): Promise<void>;
}

/** Options of `createTestDatabase`. */
export interface TestDatabaseOptions {
  /**
   * The start of the database's name: letters, digits and underscores, up to 20, starting with a
   * letter. Default: `ALCHEMY_TEST_DATABASE_PREFIX`, else `alchemy`.
   */
  prefix?: string;
}

/** The environment variable that gives every test database of a run its name prefix. */
export const DATABASE_PREFIX_VARIABLE = 'ALCHEMY_TEST_DATABASE_PREFIX';

/**
 * Creates a database of its own for the calling test file, so suites can run in parallel on one
 * server: a temporary SQLite file, or a fresh PostgreSQL/MariaDB database named
 * `<prefix>_<label>_<random>` (prefix `alchemy` unless given or set in `ALCHEMY_TEST_DATABASE_PREFIX`).
 */
export async function createTestDatabase(
  kind: TestDatabaseKind,
  label = 'test',
  options: TestDatabaseOptions = {},
): Promise<TestDatabase> {
  const prefix = checkedPrefix(options.prefix ?? process.env[DATABASE_PREFIX_VARIABLE] ?? 'alchemy');
  const name = `${prefix}_${label
    .replace(/[^a-z0-9]+/gi, '_')
    .toLowerCase()
    .slice(0, 30)}_${randomBytes(4).toString('hex')}`;
  if (kind === 'sqlite') {
    const directory = mkdtempSync(join(tmpdir(), 'alchemy-'));
    return {
      kind,
      connectionString: `sqlite:///${join(directory, `${name}.db`)}`,
      drop: async () => rmSync(directory, { recursive: true, force: true }),
    };
  }
  const server = serverUrl(kind);
  const admin = await openProbe(server);
  const quote = kind === 'postgres' ? '"' : '`';
  try {
    await admin.query(`CREATE DATABASE ${quote}${name}${quote}`);
  } finally {
    await admin.close();
  }
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    kind,
    connectionString: url.toString(),
    drop: async () => {
      const cleaner = await openProbe(server);
      try {
        const force = kind === 'postgres' ? ' WITH (FORCE)' : '';
        await cleaner.query(`DROP DATABASE IF EXISTS ${quote}${name}${quote}${force}`);
      } finally {
        await cleaner.close();
      }
    },
  };
}

/** The prefix goes into CREATE/DROP DATABASE unescaped: a plain identifier, short enough for PostgreSQL's 63 bytes. */
function checkedPrefix(prefix: string): string {
  if (/^[a-z][a-z0-9_]{0,19}$/i.test(prefix)) return prefix.toLowerCase();
  throw new Error(
    `createTestDatabase: the database name prefix "${prefix}" (option prefix or ${DATABASE_PREFIX_VARIABLE}) must be ` +
      '1 to 20 letters, digits and underscores, starting with a letter, e.g. "team_a".',
  );
}
