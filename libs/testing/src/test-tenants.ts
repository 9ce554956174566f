import type { TestDatabase } from './test-database';
import { openProbe } from './probe';

/** Tenants of the schema strategy made for one test (or file): `drop()` removes them. */
export interface TestTenants {
  readonly ids: readonly string[];
  /** The schema (PostgreSQL) or database (MariaDB) of a tenant: give it as `tenancy.schemaName`. */
  schemaName(tenant: string): string;
  drop(): Promise<void>;
}

/**
 * The schema (PostgreSQL) or database (MariaDB, named after the test database so that files running
 * side by side on one server never share one) of each tenant, for `tenancy.schemaName`.
 */
export function testTenantSchemaName(database: TestDatabase): (tenant: string) => string {
  if (database.kind !== 'mariadb') return (tenant) => `tenant_${tenant}`;
  const home = databaseName(database);
  return (tenant) => `${home}_${tenant}`.slice(0, 64);
}

/**
 * Makes a schema (PostgreSQL) or database (MariaDB) per tenant on the test database's server, each
 * with a copy of every table of the test database's own (so make the tables there first, e.g.
 * with `createAll`). `drop()` removes them; call it in `afterAll`.
 */
export async function createTestTenants(database: TestDatabase, ids: readonly string[]): Promise<TestTenants> {
  if (database.kind === 'sqlite')
    throw new Error('createTestTenants: the schema strategy needs PostgreSQL or MariaDB.');
  const schemaName = testTenantSchemaName(database);
  const probe = await openProbe(database.connectionString);
  const quote = database.kind === 'postgres' ? '"' : '`';
  const q = (name: string) => `${quote}${name}${quote}`;
  const drop = async () => {
    const cleaner = await openProbe(database.connectionString);
    try {
      for (const id of ids) {
        const cascade = database.kind === 'postgres' ? ' CASCADE' : '';
        await cleaner.query(
          `DROP ${database.kind === 'postgres' ? 'SCHEMA' : 'DATABASE'} IF EXISTS ${q(schemaName(id))}${cascade}`,
        );
      }
    } finally {
      await cleaner.close();
    }
  };
  try {
    const home = database.kind === 'postgres' ? 'public' : databaseName(database);
    const tables = await probe.query<{ name: string }>(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ? AND table_type = 'BASE TABLE'",
      [home],
    );
    for (const id of ids) {
      const schema = schemaName(id);
      await probe.query(`CREATE ${database.kind === 'postgres' ? 'SCHEMA' : 'DATABASE'} ${q(schema)}`);
      for (const { name } of tables) {
        const like =
          database.kind === 'postgres' ? `(LIKE ${q(home)}.${q(name)} INCLUDING ALL)` : `LIKE ${q(home)}.${q(name)}`;
        await probe.query(`CREATE TABLE ${q(schema)}.${q(name)} ${like}`);
      }
    }
  } catch (error) {
    await drop().catch(() => undefined);
    throw error;
  } finally {
    await probe.close();
  }
  return { ids, schemaName, drop };
}

function databaseName(database: TestDatabase): string {
  return decodeURIComponent(new URL(database.connectionString).pathname.slice(1));
}
