import { basename } from 'node:path';
import type { DataSource } from 'typeorm';
import type { Bind } from '../session/bind';
import { listMigrationFiles } from '../migrations/migration-files';
import { resolveMigrationSettings } from '../migrations/migration-settings';
import type { DatabaseTenancy } from '../tenancy/database-strategy';
import type { SchemaTenancy } from '../tenancy/schema-strategy';
import type { Tenancy } from '../tenancy/tenancy';
import { quoteIdentifier } from '../tenancy/tenant-id';

/** One tenant's state, as the health indicator saw it. */
export interface TenantHealth {
  tenant: string;
  status: 'up' | 'down';
  /** Why it is down, and the command that fixes it. */
  message?: string;
}

/**
 * The tenants of a tenant-scoped bind key checked by one health call: at most `limit` of them.
 * Schema strategy: tenants of `listTenants()`, a slice per call in turn (so successive calls go
 * round them all); database strategy: the tenants whose DataSource is open, most recently used first.
 */
export interface TenantsHealth {
  strategy: 'schema' | 'database';
  /** Schema strategy: the tenants `listTenants()` gave; database strategy: the DataSources open now. */
  total: number;
  checked: TenantHealth[];
  /** How many of `checked` are down (a tenant down does not make the bind key down). */
  down: number;
}

export const DEFAULT_TENANTS_PER_HEALTH_CHECK = 10;

const TIMESTAMP_PREFIX = /^(\d{13})-/;

/** Where the next schema-strategy health call starts in `listTenants()`, per bind key. */
const cursors = new WeakMap<Bind, number>();

/** Checks at most `limit` tenants of a tenant-scoped bind key (see `TenantsHealth`). */
export async function checkTenants(
  base: Bind,
  tenancy: Tenancy,
  limit: number,
  redact: (error: unknown) => string,
): Promise<TenantsHealth> {
  const strategy = base.tenancy?.strategy === 'database' ? 'database' : 'schema';
  const { total, checked } =
    strategy === 'database'
      ? await checkOpenTenants(base.tenancy as DatabaseTenancy, limit, redact)
      : await checkTenantSchemas(base, tenancy, limit);
  return { strategy, total, checked, down: checked.filter((tenant) => tenant.status === 'down').length };
}

async function checkOpenTenants(strategy: DatabaseTenancy, limit: number, redact: (error: unknown) => string) {
  const open = strategy.pool.openTenants.reverse();
  const checked = await Promise.all(
    open.slice(0, limit).map(async (tenant): Promise<TenantHealth | undefined> => {
      const lease = strategy.pool.holdIfOpen(tenant);
      if (!lease) return undefined; // closed since the list was taken: not open any more, nothing to report
      try {
        await lease.bind.dataSource.query('SELECT 1');
        return { tenant, status: 'up' };
      } catch (error) {
        return { tenant, status: 'down', message: `SELECT 1 failed: ${redact(error)}` };
      } finally {
        lease.release();
      }
    }),
  );
  return { total: open.length, checked: checked.filter((tenant) => tenant !== undefined) };
}

async function checkTenantSchemas(base: Bind, tenancy: Tenancy, limit: number) {
  const all = await tenancy.listTenantsIfKnown();
  if (all === undefined || all.length === 0 || limit <= 0) return { total: all?.length ?? 0, checked: [] };
  const start = (cursors.get(base) ?? 0) % all.length;
  const slice = Array.from({ length: Math.min(limit, all.length) }, (_, index) => all[(start + index) % all.length]);
  cursors.set(base, (start + slice.length) % all.length);

  const dataSource = base.dataSource;
  const type = dataSource.options.type;
  const schemaTenancy = base.tenancy as SchemaTenancy;
  const schemaOf = new Map(slice.map((tenant) => [tenant, schemaTenancy.schemaOf(tenant)]));
  const names = [...new Set(schemaOf.values())];
  const list = names.map((_, index) => (type === 'postgres' ? `$${index + 1}` : '?')).join(', ');
  const existing = new Set(
    (
      (await dataSource.query(
        `SELECT schema_name AS name FROM information_schema.schemata WHERE schema_name IN (${list})`,
        names,
      )) as Array<{ name: string }>
    ).map((row) => row.name),
  );
  const tables = new Set(
    (
      (await dataSource.query(
        `SELECT table_schema AS s, table_name AS t FROM information_schema.tables WHERE table_schema IN (${list})`,
        names,
      )) as Array<{ s: string; t: string }>
    ).map((row) => `${row.s}\u0000${row.t}`),
  );
  const wanted = dataSource.entityMetadatas
    .filter((meta) => meta.synchronize && meta.tableType !== 'entity-child' && meta.tableType !== 'view')
    .map((meta) => meta.tableName);
  const settings = resolveMigrationSettings(base.config, process.cwd(), false);
  const files = listMigrationFiles(settings.scriptLocation)
    .map((file) => basename(file))
    .filter((name) => TIMESTAMP_PREFIX.test(name));

  const checked = await Promise.all(
    slice.map(async (tenant): Promise<TenantHealth> => {
      const schema = schemaOf.get(tenant) as string;
      if (!existing.has(schema)) {
        return down(tenant, `its schema "${schema}" does not exist: run \`db tenant create ${tenant}\``);
      }
      const missing = wanted.filter((table) => !tables.has(`${schema}\u0000${table}`));
      const pending = files.length > 0 ? await pendingOf(dataSource, schema, files, settings.versionTableName) : [];
      if (missing.length === 0 && pending.length === 0) return { tenant, status: 'up' };
      const parts: string[] = [];
      if (pending.length > 0) parts.push(`${pending.length} migration(s) not applied (${pending.join(', ')})`);
      if (missing.length > 0) parts.push(`table(s) missing (${missing.join(', ')})`);
      return down(tenant, `${parts.join('; ')}: run \`db upgrade --tenant ${tenant}\``);
    }),
  );
  return { total: all.length, checked };
}

function down(tenant: string, message: string): TenantHealth {
  return { tenant, status: 'down', message: `Tenant "${tenant}": ${message}.` };
}

/** The migration files not recorded in the version table of a tenant's schema (all of them without one). */
async function pendingOf(dataSource: DataSource, schema: string, files: string[], table: string): Promise<string[]> {
  const type = dataSource.options.type;
  let done: Set<string>;
  try {
    const rows = (await dataSource.query(
      `SELECT name FROM ${quoteIdentifier(schema, type)}.${quoteIdentifier(table, type)}`,
    )) as Array<{ name: string }>;
    done = new Set(rows.map((row) => row.name.slice(-13)));
  } catch {
    done = new Set();
  }
  return files.filter((name) => !done.has((TIMESTAMP_PREFIX.exec(name) as RegExpExecArray)[1]));
}
