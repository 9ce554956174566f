import { AlchemyHealthIndicator, type AlchemyHealthResult } from 'nestjs-advanced-alchemy';
import {
  createTestTenantDatabases,
  createTestTenants,
  startTestApp,
  testDatabaseKinds,
  testTenantSchemaName,
  type TestApp,
  type TestTenantDatabases,
  type TestTenants,
} from 'nestjs-advanced-alchemy/testing';
import { eachKind } from '../support/each-kind';
import { headerTenancy, TenantNote, TenantNotesController } from './tenant-notes';

// Health per tenant, bounded: one call checks at most `tenants` of them (never every tenant of a
// large catalogue), each reported up or down with the command that fixes it.

const LIMIT = 10;
/** 25 listed tenants: 23 with their tables, one whose schema was never created, one missing its table. */
const LISTED = Array.from({ length: 25 }, (_, index) => `h${String(index + 1).padStart(2, '0')}`);
const NO_SCHEMA = 'h07';
const NO_TABLE = 'h18';

type Entry = AlchemyHealthResult[string];

eachKind(testDatabaseKinds().filter((kind) => kind !== 'sqlite'))(
  'health per tenant, schema strategy on %s',
  (kind) => {
    let testApp: TestApp;
    let tenants: TestTenants;

    beforeAll(async () => {
      const tenancy = { ...headerTenancy(new Set(LISTED)), listTenants: () => LISTED };
      testApp = await startTestApp({
        kind,
        label: 'tenancy_health',
        entities: [TenantNote],
        config: (_key, database) => ({ tenancy: { strategy: 'schema', schemaName: testTenantSchemaName(database) } }),
        moduleOptions: { tenancy },
      });
      tenants = await createTestTenants(
        testApp.database,
        LISTED.filter((tenant) => tenant !== NO_SCHEMA),
      );
      const quote = kind === 'postgres' ? '"' : '`';
      await testApp.probe.query(
        `DROP TABLE ${quote}${tenants.schemaName(NO_TABLE)}${quote}.${quote}tenant_notes${quote}`,
      );
    });
    afterAll(async () => {
      await tenants?.drop();
      await testApp?.close();
    });

    it(`checks at most ${LIMIT} tenants per call, in turn, and names what each one that is down lacks`, async () => {
      const indicator = testApp.app.get(AlchemyHealthIndicator);
      const seen = new Map<string, { status: string; message?: string }>();
      for (let call = 0; call < 3; call++) {
        const entry: Entry = (await indicator.pingCheck('database', { tenants: LIMIT })).database;
        expect(entry.status).toBe('up');
        expect(entry.tenants).toMatchObject({ strategy: 'schema', total: LISTED.length });
        expect(entry.tenants?.checked.length).toBe(LIMIT);
        for (const tenant of entry.tenants?.checked ?? []) seen.set(tenant.tenant, tenant);
      }
      // Three calls of 10 went round all 25.
      expect([...seen.keys()].sort()).toEqual(LISTED);
      expect(seen.get(NO_SCHEMA)).toMatchObject({
        status: 'down',
        message: expect.stringContaining(`db tenant create ${NO_SCHEMA}`),
      });
      expect(seen.get(NO_TABLE)).toMatchObject({
        status: 'down',
        message: expect.stringMatching(new RegExp(`tenant_notes.*db upgrade --tenant ${NO_TABLE}`)),
      });
      const up = [...seen.values()].filter((tenant) => tenant.status === 'up');
      expect(up).toHaveLength(LISTED.length - 2);
    });

    it('tenants: 0 checks none', async () => {
      const entry = (await testApp.app.get(AlchemyHealthIndicator).pingCheck('database', { tenants: 0 })).database;
      expect(entry.status).toBe('up');
      expect(entry.tenants).toBeUndefined();
    });
  },
);

eachKind(testDatabaseKinds())('health per tenant, database strategy on %s', (kind) => {
  const TENANTS = ['o1', 'o2', 'o3'];
  let testApp: TestApp;
  let databases: TestTenantDatabases;

  beforeAll(async () => {
    databases = await createTestTenantDatabases(kind, TENANTS, 'tenancy_hdb');
    testApp = await startTestApp({
      kind,
      label: 'tenancy_hdb',
      entities: [TenantNote],
      controllers: [TenantNotesController],
      config: {
        tenancy: { strategy: 'database', connectionString: databases.connectionString, idleTimeoutMs: 0 },
      },
      moduleOptions: { tenancy: headerTenancy(new Set(TENANTS)) },
    });
  }, 60_000);
  afterAll(async () => {
    await testApp?.close();
    await databases?.drop();
  }, 60_000);

  it('pings the open tenant DataSources, most recently used first, at most the limit', async () => {
    const indicator = testApp.app.get(AlchemyHealthIndicator);
    const none = (await indicator.pingCheck('database', { tenants: 2 })).database;
    expect(none.tenants).toEqual({ strategy: 'database', total: 0, checked: [], down: 0 });
    for (const tenant of TENANTS) {
      expect((await testApp.http.get('/notes', { headers: { 'x-tenant': tenant } })).status).toBe(200);
    }
    const entry = (await indicator.pingCheck('database', { tenants: 2 })).database;
    expect(entry.status).toBe('up');
    expect(entry.tenants).toEqual({
      strategy: 'database',
      total: 3,
      checked: [
        { tenant: 'o3', status: 'up' },
        { tenant: 'o2', status: 'up' },
      ],
      down: 0,
    });
  });
});
