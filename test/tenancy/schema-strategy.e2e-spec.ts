import {
  createTestTenants,
  startTestApp,
  testDatabaseKinds,
  testTenantSchemaName,
  type TestApp,
  type TestTenants,
} from 'nestjs-advanced-alchemy/testing';
import { eachKind } from '../support/each-kind';
import {
  burst,
  headerTenancy,
  settingOfEveryPooledConnection,
  TenantNote,
  TenantNotesController,
} from './tenant-notes';

// The schema strategy: every session in its tenant's schema (PostgreSQL) or database (MariaDB),
// proven under load; rows are read through another connection, per tenant schema.

const TENANTS = Array.from({ length: 50 }, (_, index) => `t${String(index + 1).padStart(2, '0')}`);
const REQUESTS = 1_000;

eachKind(testDatabaseKinds().filter((kind) => kind !== 'sqlite'))('schema strategy on %s', (kind) => {
  let testApp: TestApp;
  let tenants: TestTenants;
  const tenancy = headerTenancy(new Set(TENANTS));
  const table = (tenant: string) => {
    const quote = kind === 'postgres' ? '"' : '`';
    return `${quote}${tenants.schemaName(tenant)}${quote}.${quote}tenant_notes${quote}`;
  };

  beforeAll(async () => {
    testApp = await startTestApp({
      kind,
      label: 'tenancy_schema',
      entities: [TenantNote],
      controllers: [TenantNotesController],
      config: (_key, database) => ({
        engineConfig: { poolSize: 8 },
        tenancy: { strategy: 'schema', schemaName: testTenantSchemaName(database) },
      }),
      moduleOptions: { tenancy },
    });
    tenants = await createTestTenants(testApp.database, TENANTS);
  });
  afterAll(async () => {
    await tenants?.drop();
    await testApp?.close();
  });

  it(`${REQUESTS} concurrent requests over ${TENANTS.length} tenants, half failing: each row in its own tenant, rows == 2xx`, async () => {
    // Every tenant gets 20 requests, every other round of the 50 tenants failing after its write.
    const answers = await burst(testApp.url, REQUESTS, (index) => ({
      path: '/notes',
      tenant: TENANTS[index % TENANTS.length],
      body: { label: `n${index}`, fail: Math.floor(index / TENANTS.length) % 2 === 1 },
    }));
    expect(new Set(answers.map((answer) => answer.status))).toEqual(new Set([201, 409]));
    for (const tenant of TENANTS) {
      const created = answers.filter((answer) => answer.tenant === tenant && answer.status === 201).length;
      const rows = await testApp.probe.query<{ tenant: string; n: number | string }>(
        `SELECT tenant, COUNT(*) AS n FROM ${table(tenant)} GROUP BY tenant`,
      );
      expect(created).toBe(REQUESTS / TENANTS.length / 2);
      expect(rows.map((row) => [row.tenant, Number(row.n)])).toEqual([[tenant, created]]);
    }
    // Nothing reached the bind key's own schema (where a session without its tenant's would write).
    expect(await testApp.probe.count('tenant_notes')).toBe(0);
  }, 120_000);

  it('leaves no tenant setting on any pooled connection', async () => {
    const home =
      kind === 'postgres'
        ? (await testApp.probe.query<{ search_path: string }>('SHOW search_path'))[0].search_path
        : (await testApp.probe.query<{ db: string }>('SELECT DATABASE() AS db'))[0].db;
    const settings = await settingOfEveryPooledConnection(testApp.dataSource());
    expect(settings.length).toBe(8);
    expect(new Set(settings)).toEqual(new Set([home]));
  });

  it("a crafted id or filter never reaches another tenant's rows", async () => {
    const headers = (tenant: string) => ({ headers: { 'x-tenant': tenant } });
    const mine = await testApp.http.post<{ id: string }>('/notes', { label: 'secret' }, headers('t01'));
    expect(mine.status).toBe(201);
    expect((await testApp.http.get(`/notes/${mine.body.id}`, headers('t01'))).status).toBe(200);
    expect((await testApp.http.get(`/notes/${mine.body.id}`, headers('t02'))).status).toBe(404);
    const filtered = await testApp.http.get<TenantNote[]>('/notes?tenant=t01', headers('t02'));
    expect(filtered.status).toBe(200);
    expect(filtered.body).toEqual([]);
    // A tenant id that tries to escape the quoted schema name is refused before any statement.
    const crafted = await testApp.http.get('/notes', headers('t01"; SET search_path TO public; --'));
    expect(crafted.status).toBe(404);
  });

  it('a request without a tenant is answered 400, one with an unknown tenant 404, before any statement', async () => {
    const before = await testApp.probe.count('tenant_notes');
    const missing = await testApp.http.post('/notes', { label: 'nobody' });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ statusCode: 400, message: expect.stringContaining('No tenant') });
    const unknown = await testApp.http.post('/notes', { label: 'stranger' }, { headers: { 'x-tenant': 'zz99' } });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ message: 'Unknown tenant: the tenant "zz99" does not exist.' });
    expect(await testApp.probe.count('tenant_notes')).toBe(before);
  });

  it('resolves the tenant once per request', async () => {
    const calls = tenancy.calls;
    await testApp.http.get('/notes', { headers: { 'x-tenant': 't03' } });
    expect(tenancy.calls - calls).toBe(1);
  });
});
