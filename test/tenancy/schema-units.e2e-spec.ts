import { Controller, Injectable, Post } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { CurrentTenant, InjectSession, Transactional, type Session } from 'nestjs-advanced-alchemy';
import {
  createTestTenants,
  startTestApp,
  testDatabaseKinds,
  testTenantSchemaName,
  useTestTransactions,
  type TestApp,
  type TestTenants,
} from 'nestjs-advanced-alchemy/testing';
import { eachKind } from '../support/each-kind';
import { headerTenancy, settingOfEveryPooledConnection, TenantNote, TenantNotesController } from './tenant-notes';

// Units that leave the request's transaction on a schema-strategy bind key (REQUIRES_NEW, which
// opens a transaction of its own, and NOT_SUPPORTED, which has none) still work in the tenant's
// schema; and the testing kit's per-test rollback works together with the schema strategy.

const TENANTS = ['u1', 'u2'];

@Injectable()
class UnitNotes {
  constructor(
    @InjectSession() private readonly session: Session,
    private readonly tenant: CurrentTenant,
  ) {}

  private write(label: string) {
    return this.session.getRepository(TenantNote).save({ tenant: this.tenant.id, label });
  }

  @Transactional({ propagation: 'REQUIRES_NEW' })
  requiresNew(label: string) {
    return this.write(label);
  }

  @Transactional({ propagation: 'NOT_SUPPORTED' })
  notSupported(label: string) {
    return this.write(label);
  }

  plain(label: string) {
    return this.write(label);
  }
}

@Controller('units')
class UnitNotesController {
  constructor(private readonly notes: UnitNotes) {}

  @Post('requires-new') async requiresNew() {
    return this.notes.requiresNew('requires-new');
  }

  @Post('not-supported') async notSupported() {
    return this.notes.notSupported('not-supported');
  }

  @Post('plain') async plain() {
    return this.notes.plain('plain');
  }
}

eachKind(testDatabaseKinds().filter((kind) => kind !== 'sqlite'))('schema strategy units on %s', (kind) => {
  let testApp: TestApp;
  let tenants: TestTenants;
  const headers = (tenant: string) => ({ headers: { 'x-tenant': tenant } });
  const rowsOf = async (tenant: string) => {
    const quote = kind === 'postgres' ? '"' : '`';
    const table = `${quote}${tenants.schemaName(tenant)}${quote}.${quote}tenant_notes${quote}`;
    const rows = await testApp.probe.query<{ tenant: string; label: string }>(
      `SELECT tenant, label FROM ${table} ORDER BY label`,
    );
    return rows.map((row) => `${row.tenant}:${row.label}`);
  };

  beforeAll(async () => {
    testApp = await startTestApp({
      kind,
      label: 'tenancy_units',
      entities: [TenantNote],
      controllers: [UnitNotesController, TenantNotesController],
      providers: [UnitNotes],
      config: (_key, database) => ({
        engineConfig: { poolSize: 4 },
        tenancy: { strategy: 'schema', schemaName: testTenantSchemaName(database) },
      }),
      moduleOptions: { tenancy: headerTenancy(new Set(TENANTS)) },
    });
    tenants = await createTestTenants(testApp.database, TENANTS);
  });
  afterAll(async () => {
    await tenants?.drop();
    await testApp?.close();
  });

  it("REQUIRES_NEW and NOT_SUPPORTED units write in the tenant's schema, and leave no setting on the pool", async () => {
    expect((await testApp.http.post('/units/requires-new', {}, headers('u1'))).status).toBe(201);
    expect((await testApp.http.post('/units/not-supported', {}, headers('u1'))).status).toBe(201);
    expect((await testApp.http.post('/units/not-supported', {}, headers('u2'))).status).toBe(201);
    expect(await rowsOf('u1')).toEqual(['u1:not-supported', 'u1:requires-new']);
    expect(await rowsOf('u2')).toEqual(['u2:not-supported']);
    expect(await testApp.probe.count('tenant_notes')).toBe(0);
    const home =
      kind === 'postgres'
        ? (await testApp.probe.query<{ search_path: string }>('SHOW search_path'))[0].search_path
        : (await testApp.probe.query<{ db: string }>('SELECT DATABASE() AS db'))[0].db;
    expect(new Set(await settingOfEveryPooledConnection(testApp.dataSource()))).toEqual(new Set([home]));
  });

  describe('inside useTestTransactions', () => {
    let dataSource: DataSource;
    beforeAll(() => {
      dataSource = testApp.dataSource();
    });
    useTestTransactions(() => [dataSource]);

    it("a request's row is in its tenant's schema, seen by the test's later requests", async () => {
      expect((await testApp.http.post('/units/plain', {}, headers('u2'))).status).toBe(201);
      expect((await testApp.http.post('/units/plain', {}, headers('u1'))).status).toBe(201);
      // A request failing after its write: rolled back to its savepoint, the test's transaction goes on.
      expect((await testApp.http.post('/notes', { label: 'failed', fail: true }, headers('u1'))).status).toBe(409);
      // Read on the test transaction's own connection: the rows are there, each in its tenant's schema.
      const quote = kind === 'postgres' ? '"' : '`';
      const count = async (tenant: string, label: string) => {
        const table = `${quote}${tenants.schemaName(tenant)}${quote}.${quote}tenant_notes${quote}`;
        const rows = (await dataSource.query(`SELECT COUNT(*) AS n FROM ${table} WHERE label = '${label}'`)) as Array<{
          n: number | string;
        }>;
        return Number(rows[0].n);
      };
      expect(await count('u1', 'plain')).toBe(1);
      expect(await count('u2', 'plain')).toBe(1);
      expect(await count('u1', 'failed')).toBe(0);
      // The test's own queries run in the home schema, whatever tenant the last request had.
      expect(Number((await dataSource.query(`SELECT COUNT(*) AS n FROM tenant_notes`))[0].n)).toBe(0);
    });

    it('rolled back: the next test starts without them', async () => {
      expect((await rowsOf('u1')).filter((row) => row.endsWith(':plain'))).toEqual([]);
      expect((await rowsOf('u2')).filter((row) => row.endsWith(':plain'))).toEqual([]);
    });
  });
});

// Behind a transaction pooler each statement outside a transaction may get another server connection:
// a NOT_SUPPORTED unit could not keep the tenant's schema, and is refused rather than run elsewhere.
eachKind(testDatabaseKinds().filter((kind) => kind === 'postgres'))(
  'schema strategy behind a transaction pooler on %s',
  (kind) => {
    let testApp: TestApp;
    let tenants: TestTenants;
    beforeAll(async () => {
      testApp = await startTestApp({
        kind,
        label: 'tenancy_units_pooler',
        entities: [TenantNote],
        providers: [UnitNotes],
        config: (_key, database) => ({
          engineConfig: { transactionPooler: true },
          tenancy: { strategy: 'schema', schemaName: testTenantSchemaName(database) },
        }),
        moduleOptions: { tenancy: headerTenancy(new Set(TENANTS)) },
      });
      tenants = await createTestTenants(testApp.database, TENANTS);
    });
    afterAll(async () => {
      await tenants?.drop();
      await testApp?.close();
    });

    it('a NOT_SUPPORTED unit is refused, naming REQUIRES_NEW; a REQUIRES_NEW one writes in the tenant', async () => {
      const notes = testApp.app.get(UnitNotes);
      const tenant = testApp.app.get(CurrentTenant);
      const inTenant = <T>(work: () => Promise<T>) => tenant.run('u1', () => testApp.alchemy.withSession(() => work()));
      await expect(inTenant(() => notes.notSupported('pooled'))).rejects.toThrow(/transaction pooler.*REQUIRES_NEW/);
      await expect(inTenant(() => notes.requiresNew('pooled'))).resolves.toMatchObject({ tenant: 'u1' });
      const quote = '"';
      const table = `${quote}${tenants.schemaName('u1')}${quote}.${quote}tenant_notes${quote}`;
      expect(await testApp.probe.query(`SELECT label FROM ${table}`)).toEqual([{ label: 'pooled' }]);
      expect(await testApp.probe.count('tenant_notes')).toBe(0);
    });
  },
);
