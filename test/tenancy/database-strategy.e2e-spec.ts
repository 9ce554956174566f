import { DataSource, type DataSourceOptions } from 'typeorm';
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

// The database strategy: a DataSource per tenant, opened on first use, at most maxOpenTenants at
// once. Scaled down from the 200 tenants under an LRU limit of 20 (that took this file to
// 180 s, mostly creating, opening with createAll and dropping a database per tenant; 30 under 10
// still took 185 s on a loaded machine): 15 tenants under a limit of 5, three times the limit. The full 200 / 20 run against the pool
// itself in src/tenancy/tenant-bind-pool.spec.ts.

const LIMIT = 5;
const POOL_SIZE = 2;
const TENANT_COUNT = 15;

eachKind(testDatabaseKinds())('database strategy on %s', (kind) => {
  const TENANTS = Array.from({ length: TENANT_COUNT }, (_, index) => `d${String(index + 1).padStart(3, '0')}`);
  const NEW_TENANT = 'burst';
  let testApp: TestApp;
  let tenants: TestTenantDatabases;
  let admin: DatabaseProbe | undefined;
  /** The database of every DataSource the module made, in order. */
  const made: string[] = [];

  beforeAll(async () => {
    tenants = await createTestTenantDatabases(kind, [...TENANTS, NEW_TENANT], 'tenancy_db');
    testApp = await startTestApp({
      kind,
      label: 'tenancy_db',
      entities: [TenantNote],
      controllers: [TenantNotesController],
      config: {
        createDataSource: (options: DataSourceOptions) => {
          made.push(String(options.database));
          return new DataSource(options);
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
  }, 120_000);
  afterAll(async () => {
    await admin?.close();
    await testApp?.close();
    await tenants?.drop();
  }, 120_000);

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
  }, 120_000);
});
