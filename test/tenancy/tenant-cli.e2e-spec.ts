import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { AdvancedAlchemyModule, runDatabaseCli } from 'nestjs-advanced-alchemy';
import {
  createTestDatabase,
  openProbe,
  testDatabaseKinds,
  testTenantSchemaName,
  type DatabaseProbe,
  type TestDatabase,
} from 'nestjs-advanced-alchemy/testing';
import { eachKind } from '../support/each-kind';

// The command line per tenant (schema strategy): `db tenant create`, then `db upgrade --all-tenants`
// over 50 tenants of which one cannot be upgraded: the others are, the failure is named, exit 1.

const TENANTS = Array.from({ length: 50 }, (_, index) => `c${String(index + 1).padStart(2, '0')}`);
const BROKEN = 'c17';

const MIGRATION = `
class TenantNotes1700000000000 {
  name = 'TenantNotes1700000000000';
  async up(runner) {
    await runner.query('CREATE TABLE tenant_notes (id VARCHAR(36) PRIMARY KEY, tenant VARCHAR(48) NOT NULL)');
  }
  async down(runner) {
    await runner.query('DROP TABLE tenant_notes');
  }
}
module.exports = { TenantNotes1700000000000 };
`;

eachKind(testDatabaseKinds().filter((kind) => kind !== 'sqlite'))('tenant command line on %s', (kind) => {
  let database: TestDatabase;
  let probe: DatabaseProbe;
  let directory: string;
  let schemaName: (tenant: string) => string;
  let output: string[] = [];
  const quote = kind === 'postgres' ? '"' : '`';
  const q = (name: string) => `${quote}${name}${quote}`;

  function appModule() {
    @Module({
      imports: [
        AdvancedAlchemyModule.forRoot(
          {
            connectionString: database.connectionString,
            commitMode: 'autocommit',
            migrationConfig: { scriptLocation: directory },
            tenancy: { strategy: 'schema', schemaName },
          },
          { tenancy: { resolve: () => undefined, listTenants: () => TENANTS } },
        ),
      ],
    })
    class TenantCliModule {}
    return TenantCliModule;
  }

  const cli = (...argv: string[]) => runDatabaseCli(appModule(), ['db', ...argv], { exit: false });

  beforeAll(async () => {
    database = await createTestDatabase(kind, 'tenancy_cli');
    schemaName = testTenantSchemaName(database);
    probe = await openProbe(database.connectionString);
    directory = mkdtempSync(join(tmpdir(), 'aa-tenant-cli-'));
    writeFileSync(join(directory, '1700000000000-tenant-notes.js'), MIGRATION);
  });
  beforeEach(() => {
    output = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      output.push(String(chunk));
      return true;
    });
    jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(async () => {
    for (const tenant of TENANTS) {
      await probe?.query(
        `DROP ${kind === 'postgres' ? 'SCHEMA' : 'DATABASE'} IF EXISTS ${q(schemaName(tenant))}${kind === 'postgres' ? ' CASCADE' : ''}`,
      );
    }
    await probe?.close();
    await database?.drop();
    rmSync(directory, { recursive: true, force: true });
  }, 120_000);

  async function tablesOf(tenant: string): Promise<string[]> {
    const rows = await probe.query<{ name: string }>(
      'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ? ORDER BY table_name',
      [schemaName(tenant)],
    );
    return rows.map((row) => row.name);
  }

  it('db tenant create <id> makes the schema and applies every migration to it', async () => {
    expect(await cli('tenant', 'create', TENANTS[0])).toBe(0);
    expect(await tablesOf(TENANTS[0])).toEqual(['migrations', 'tenant_notes']);
    // The bind key's own schema got nothing.
    const home = kind === 'postgres' ? 'public' : new URL(database.connectionString).pathname.slice(1);
    const homeTables = await probe.query('SELECT table_name FROM information_schema.tables WHERE table_schema = ?', [
      home,
    ]);
    expect(homeTables).toEqual([]);
  });

  it('db upgrade --all-tenants goes past a failing tenant, names it, and exits 1', async () => {
    for (const tenant of TENANTS.slice(1)) {
      await probe.query(`CREATE ${kind === 'postgres' ? 'SCHEMA' : 'DATABASE'} ${q(schemaName(tenant))}`);
    }
    // The broken tenant already has a table of that name: its migration fails.
    await probe.query(`CREATE TABLE ${q(schemaName(BROKEN))}.${q('tenant_notes')} (other INT)`);
    expect(await cli('upgrade', '--all-tenants')).toBe(1);
    const text = output.join('');
    expect(text).toContain(`[tenant ${BROKEN}] FAILED`);
    expect(text).toContain(`49 of 50 tenant(s) done, 1 failed.`);
    for (const tenant of TENANTS.filter((each) => each !== BROKEN)) {
      expect(await tablesOf(tenant)).toEqual(['migrations', 'tenant_notes']);
    }
    // The broken tenant records no revision: its migration did not apply.
    const recorded = await probe.query(`SELECT * FROM ${q(schemaName(BROKEN))}.${q('migrations')}`);
    expect(recorded).toEqual([]);
  }, 120_000);

  it('db history --tenant <id> reads that tenant', async () => {
    expect(await cli('history', '--tenant', TENANTS[1])).toBe(0);
    expect(output.join('')).toContain('[X] TenantNotes1700000000000 (head, current)');
  });
});
