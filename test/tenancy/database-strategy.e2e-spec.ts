import { DataSource, type DataSourceOptions, type Logger as TypeOrmLogger } from 'typeorm';
import {
  createTestTenantDatabases,
  openProbe,
  serverUrl,
  startTestApp,
  testDatabaseKinds,
  type DatabaseProbe,
  type TestApp,
  type TestTenantDatabases,
} from 'nestjs-advanced-alchemy/testing';
import { eachKind } from '../support/each-kind';
import { burst, headerTenancy, TenantNote, TenantNotesController } from './tenant-notes';

// The database strategy at the scale: 200 tenants under an LRU limit of 20, a DataSource
// per tenant opened on first use. Opening one does only what differs per tenant (connect, and
// createAll the first time): checked here by the statements each opening sends.

const LIMIT = 20;
const POOL_SIZE = 2;
const TENANT_COUNT = 200;

/** Every statement TypeORM sends on a DataSource, by the database it was made for. */
function countingLogger(database: string, sent: Map<string, string[]>): TypeOrmLogger {
  const record = (query: string) => {
    const list = sent.get(database) ?? [];
    list.push(query);
    sent.set(database, list);
  };
  return {
    logQuery: record,
    logQueryError: (_error, query) => record(query),
    logQuerySlow: (_time, query) => record(query),
    logSchemaBuild: () => undefined,
    logMigration: () => undefined,
    log: () => undefined,
  };
}

/** What the module asks once per bind key, never per tenant: the server's default isolation level. */
const ONCE_PER_BIND_KEY = /default_transaction_isolation|@@(tx|transaction)_isolation/i;

eachKind(testDatabaseKinds())('database strategy on %s', (kind) => {
  const TENANTS = Array.from({ length: TENANT_COUNT }, (_, index) => `d${String(index + 1).padStart(3, '0')}`);
  const NEW_TENANT = 'burst';
  let testApp: TestApp;
  let tenants: TestTenantDatabases;
  let admin: DatabaseProbe | undefined;
  /** The database of every DataSource the module made, in order. */
  const made: string[] = [];
  /** The statements sent on each tenant's DataSource, by database (every opening of it). */
  const sent = new Map<string, string[]>();

  beforeAll(async () => {
    tenants = await createTestTenantDatabases(kind, [...TENANTS, NEW_TENANT], 'tenancy_db');
    testApp = await startTestApp({
      kind,
      label: 'tenancy_db',
      entities: [TenantNote],
      controllers: [TenantNotesController],
      config: {
        createDataSource: (options: DataSourceOptions) => {
          const database = String(options.database);
          made.push(database);
          // The bind key's own DataSource is made first: its statements are not counted.
          if (made.length === 1) return new DataSource(options);
          return new DataSource({ ...options, logging: ['query', 'error'], logger: countingLogger(database, sent) });
        },
        tenancy: {
          strategy: 'database',
          connectionString: tenants.connectionString,
          maxOpenTenants: LIMIT,
          poolSize: POOL_SIZE,
          idleTimeoutMs: 0,
        },
      },
      moduleOptions: { tenancy: headerTenancy(new Set([...TENANTS, NEW_TENANT])) },
    });
    if (kind !== 'sqlite') admin = await openProbe(serverUrl(kind));
  }, 240_000);
  afterAll(async () => {
    await admin?.close();
    await testApp?.close();
    await tenants?.drop();
  }, 240_000);

  /** Connections the server has open to the tenants' databases right now. */
  async function tenantConnectionsOnServer(): Promise<number> {
    const sql =
      kind === 'postgres'
        ? 'SELECT COUNT(*) AS n FROM pg_stat_activity WHERE datname LIKE ?'
        : 'SELECT COUNT(*) AS n FROM information_schema.processlist WHERE db LIKE ?';
    const rows = await (admin as DatabaseProbe).query<{ n: number | string }>(sql, [`${tenants.namePrefix}%`]);
    return Number(rows[0].n);
  }

  it('a burst of 100 requests of a new tenant opens one DataSource', async () => {
    const answers = await burst(testApp.url, 100, (index) => ({
      path: '/notes',
      tenant: NEW_TENANT,
      body: { label: `b${index}` },
    }));
    expect(answers.filter((answer) => answer.status === 201)).toHaveLength(100);
    expect(
      made.filter(
        (database) => database.endsWith(`${tenants.namePrefix}${NEW_TENANT}`) || database.endsWith(`${NEW_TENANT}.db`),
      ),
    ).toHaveLength(1);
  }, 60_000);

  it(`${TENANTS.length} tenants with at most ${LIMIT} open: rows in their own database, connections under the bound`, async () => {
    let highest = 0;
    let sampling = kind !== 'sqlite';
    const sampler = (async () => {
      while (sampling) {
        highest = Math.max(highest, await tenantConnectionsOnServer());
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    // Two rounds over every tenant, the second failing after its write.
    const answers = await burst(testApp.url, TENANTS.length * 2, (index) => ({
      path: '/notes',
      tenant: TENANTS[index % TENANTS.length],
      body: { label: `r${index}`, fail: index >= TENANTS.length },
    }));
    sampling = false;
    await sampler;
    expect(answers.filter((answer) => answer.status === 201)).toHaveLength(TENANTS.length);
    expect(answers.filter((answer) => answer.status === 409)).toHaveLength(TENANTS.length);
    if (kind !== 'sqlite') {
      // Each open tenant's pool, plus the one connection a DataSource being opened may hold.
      expect(highest).toBeGreaterThan(0);
      expect(highest).toBeLessThanOrEqual(LIMIT * POOL_SIZE);
      expect(await tenantConnectionsOnServer()).toBeLessThanOrEqual(LIMIT * POOL_SIZE);
    }
    // Every tenant's one created row is in its own database, and nothing else is.
    for (const tenant of TENANTS) {
      const probe = await openProbe(tenants.connectionString.replace('{tenant}', tenant));
      try {
        const rows = await probe.query<{ tenant: string }>('SELECT tenant FROM tenant_notes');
        expect(rows.map((row) => row.tenant)).toEqual([tenant]);
      } finally {
        await probe.close();
      }
    }
    expect(await testApp.probe.count('tenant_notes')).toBe(0);
  }, 300_000);

  it('opening a tenant sends only what differs per tenant; reopening one after eviction, no createAll', async () => {
    const reads = [...sent.values()].flat().filter((sql) => ONCE_PER_BIND_KEY.test(sql));
    expect(reads).toEqual([]);
    // The burst's tenant was opened first, then closed to make room for the 200: open it again.
    const database = made.find((name) => name.endsWith(`${NEW_TENANT}`) || name.endsWith(`${NEW_TENANT}.db`)) as string;
    const before = sent.get(database)?.length ?? 0;
    const answers = await burst(testApp.url, 1, () => ({
      path: '/notes',
      tenant: NEW_TENANT,
      body: { label: 'again' },
    }));
    expect(answers.map((answer) => answer.status)).toEqual([201]);
    expect(made.filter((name) => name === database)).toHaveLength(2);
    const reopened = (sent.get(database) ?? []).slice(before);
    expect(
      reopened.filter((sql) => /CREATE TABLE|GET_LOCK|pg_advisory|information_schema|sqlite_master/i.test(sql)),
    ).toEqual([]);
  }, 60_000);
});
