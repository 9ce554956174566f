import { DataSource, type DataSourceOptions } from 'typeorm';
import type { Bind } from '../session/bind';
import { ImproperConfigurationError } from '../errors/improper-configuration.error';
import type { DatabaseTenancy } from './database-strategy';
import type { SchemaTenancy } from './schema-strategy';
import { isWellFormedTenantId, quoteIdentifier } from './tenant-id';

/** A tenant's database as the command line migrates it: a DataSource of its own, closed after. */
export interface TenantMigrationTarget {
  readonly dataSource: DataSource;
  close(): Promise<void>;
}

/**
 * Opens `tenant`'s schema or database of a tenant-scoped bind key for migrations. Schema strategy:
 * a DataSource like the bind key's whose every connection is in the tenant's schema (PostgreSQL's
 * `search_path` startup option) or database (MariaDB/MySQL), so migrations written without a
 * schema land there. Database strategy: the tenant's own DataSource.
 */
export async function openTenantMigrationTarget(base: Bind, tenant: string): Promise<TenantMigrationTarget> {
  checkTenantId(tenant);
  const tenancy = base.tenancy;
  if (tenancy?.strategy === 'database') {
    const lease = await (tenancy as DatabaseTenancy).lease(tenant);
    if (!lease) throw new ImproperConfigurationError(`Unknown tenant "${tenant}" on bind key "${base.key}".`);
    return { dataSource: lease.bind.dataSource, close: async () => lease.release() };
  }
  if (tenancy?.strategy !== 'schema') {
    throw new ImproperConfigurationError(
      `Bind key "${base.key}" is not tenant-scoped: leave out --tenant / --all-tenants.`,
    );
  }
  const dataSource = new DataSource(tenantSchemaOptions(base, (tenancy as SchemaTenancy).schemaOf(tenant)));
  await dataSource.initialize();
  return { dataSource, close: () => dataSource.destroy() };
}

/** Creates a tenant's schema (PostgreSQL) or database (MariaDB/MySQL) if it does not exist. */
export async function createTenantSchema(base: Bind, tenant: string): Promise<void> {
  checkTenantId(tenant);
  const tenancy = base.tenancy;
  if (tenancy?.strategy !== 'schema') return;
  const type = base.dataSource.options.type;
  const name = quoteIdentifier((tenancy as SchemaTenancy).schemaOf(tenant), type);
  await base.dataSource.query(
    type === 'postgres' ? `CREATE SCHEMA IF NOT EXISTS ${name}` : `CREATE DATABASE IF NOT EXISTS ${name}`,
  );
}

function tenantSchemaOptions(base: Bind, schema: string): DataSourceOptions {
  const options = base.dataSource.options as DataSourceOptions & { extra?: Record<string, unknown> };
  if (options.type === 'postgres') {
    // libpq's startup options: the value is one option string, its spaces and backslashes escaped.
    const path = quoteIdentifier(schema, 'postgres').replace(/\\/g, '\\\\').replace(/ /g, '\\ ');
    return { ...options, poolSize: 1, extra: { ...options.extra, max: 1, options: `-c search_path=${path}` } };
  }
  return { ...options, database: schema, poolSize: 1 } as DataSourceOptions;
}

function checkTenantId(tenant: string): void {
  if (isWellFormedTenantId(tenant)) return;
  throw new ImproperConfigurationError(
    `"${tenant}" is not a tenant id: letters, digits, "_" and "-", starting with a letter or digit, at most 48.`,
  );
}
