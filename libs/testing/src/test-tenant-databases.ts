import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serverUrl, type TestDatabaseKind } from './database-targets';
import { openProbe, type DatabaseProbe } from './probe';

/** Databases of the database strategy, one per tenant, made for one test file: `drop()` removes them. */
export interface TestTenantDatabases {
  readonly ids: readonly string[];
  /** For `tenancy.connectionString`: the tenants' connection string with `{tenant}` in it. */
  readonly connectionString: string;
  /** The start every tenant database's name shares (to count their connections on the server). */
  readonly namePrefix: string;
  drop(): Promise<void>;
}

/**
 * An empty database per tenant (PostgreSQL, MariaDB) or a directory for their files (SQLite);
 * the application's `createAll` (or migrations) makes their tables when it opens them.
 */
export async function createTestTenantDatabases(
  kind: TestDatabaseKind,
  ids: readonly string[],
  label = 'tenants',
): Promise<TestTenantDatabases> {
  const namePrefix = `alchemy_${label
    .replace(/[^a-z0-9]+/gi, '_')
    .toLowerCase()
    .slice(0, 12)}_${randomBytes(3).toString('hex')}_`;
  if (kind === 'sqlite') {
    const directory = mkdtempSync(join(tmpdir(), 'alchemy-tenants-'));
    return {
      ids,
      namePrefix,
      connectionString: `sqlite:///${join(directory, `${namePrefix}{tenant}.db`)}`,
      drop: async () => rmSync(directory, { recursive: true, force: true }),
    };
  }
  const server = serverUrl(kind);
  const quote = kind === 'postgres' ? '"' : '`';
  const created: string[] = [];
  const drop = async () => {
    const force = kind === 'postgres' ? ' WITH (FORCE)' : '';
    await onConnections(server, created.splice(0), (admin, name) =>
      admin.query(`DROP DATABASE IF EXISTS ${quote}${name}${quote}${force}`),
    );
  };
  try {
    await onConnections(server, ids, async (admin, id) => {
      const name = `${namePrefix}${id}`;
      await admin.query(`CREATE DATABASE ${quote}${name}${quote}`);
      created.push(name);
    });
  } catch (error) {
    await drop().catch(() => undefined);
    throw error;
  }
  const url = new URL(server);
  url.pathname = `/${namePrefix}__TENANT__`;
  return { ids, namePrefix, connectionString: url.toString().replace('__TENANT__', '{tenant}'), drop };
}

/**
 * Runs `work` for each item over a few connections of their own at once: PostgreSQL's DROP DATABASE
 * waits for a checkpoint, and drops waiting together share one (200 one after another took minutes).
 */
async function onConnections<T>(
  server: string,
  items: readonly T[],
  work: (admin: DatabaseProbe, item: T) => Promise<unknown>,
): Promise<void> {
  const queue = [...items];
  const worker = async () => {
    const admin = await openProbe(server);
    try {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(admin, item);
    } finally {
      await admin.close();
    }
  };
  // Every worker finishes before the first failure is thrown: a drop after it sees every database made.
  const results = await Promise.allSettled(Array.from({ length: Math.min(ADMIN_CONNECTIONS, items.length) }, worker));
  const failed = results.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
}

const ADMIN_CONNECTIONS = 16;
