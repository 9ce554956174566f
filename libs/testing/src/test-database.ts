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

/**
 * Creates a database of its own for the calling test file, so suites can run in parallel on one
 * server: a temporary SQLite file, or a fresh PostgreSQL/MariaDB database named `alchemy_<label>_<random>`.
 */
export async function createTestDatabase(kind: TestDatabaseKind, label = 'test'): Promise<TestDatabase> {
  const name = `alchemy_${label
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
