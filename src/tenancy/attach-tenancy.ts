import type { Bind } from '../session/bind';
import { ImproperConfigurationError } from '../errors/improper-configuration.error';
import { DatabaseTenancy } from './database-strategy';
import { SchemaTenancy } from './schema-strategy';
import { Tenancy } from './tenancy';
import type { TenancyOptions, TenantStrategyOption } from './tenancy-options';

/** The application's tenancy, per module registry (the `AdvancedAlchemy` object). */
const tenancies = new WeakMap<object, Tenancy>();

export function tenancyOf(owner: object): Tenancy | undefined {
  return tenancies.get(owner);
}

/**
 * Gives each bind key with `tenancy` its strategy, once the bind keys are open; refuses, at
 * startup, what cannot work together. Called by the module before the first request.
 */
export function attachTenancy(owner: object, binds: readonly Bind[], options: TenancyOptions | undefined): void {
  const scoped = binds.filter((bind) => bind.config.tenancy !== undefined);
  if (options === undefined) {
    if (scoped.length === 0) return;
    throw new ImproperConfigurationError(
      `Bind key "${scoped[0].key}" has tenancy, but the application resolves no tenant: add ` +
        "AdvancedAlchemyModule.forRoot(configs, { tenancy: { resolve: ({ request }) => request.headers['x-tenant'] } }).",
    );
  }
  checkTenancyOptions(options);
  const databaseBinds: Array<{ base: Bind; strategy: DatabaseTenancy }> = [];
  for (const bind of scoped) {
    const option = bind.config.tenancy as TenantStrategyOption;
    checkCombination(bind, option);
    if (option.strategy === 'schema') {
      bind.tenancy = new SchemaTenancy(bind, option);
    } else {
      const strategy = new DatabaseTenancy(bind, option, [...bind.secrets]);
      bind.tenancy = strategy;
      databaseBinds.push({ base: bind, strategy });
    }
  }
  tenancies.set(owner, new Tenancy(options, databaseBinds));
}

function checkTenancyOptions(options: TenancyOptions): void {
  if (typeof options.resolve !== 'function') {
    throw new ImproperConfigurationError(
      'AdvancedAlchemyModule option tenancy.resolve must be a function of the scope returning the tenant id: ' +
        "e.g. tenancy: { resolve: (source) => source.kind === 'http' ? source.request.headers['x-tenant'] : undefined }.",
    );
  }
  for (const field of ['missingStatus', 'unknownStatus'] as const) {
    const status = options[field];
    if (status !== undefined && !(Number.isInteger(status) && status >= 400 && status <= 499)) {
      throw new ImproperConfigurationError(
        `AdvancedAlchemyModule option tenancy.${field} must be a 4xx HTTP status, got ${String(status)}.`,
      );
    }
  }
}

function checkCombination(bind: Bind, option: TenantStrategyOption): void {
  const where = `tenancy { strategy: '${String(option.strategy)}' } of bind key "${bind.key}"`;
  if (option.strategy !== 'schema' && option.strategy !== 'database') {
    throw new ImproperConfigurationError(`${where}: strategy must be 'schema' or 'database'.`);
  }
  if (bind.config.replicas.length > 0) {
    throw new ImproperConfigurationError(
      `${where} cannot be used with replicas yet (a replica's connection would not be in the tenant's schema ` +
        'or database): remove replicas from this bind key.',
    );
  }
  if (option.strategy === 'schema') {
    if (option.schemaName !== undefined && typeof option.schemaName !== 'function') {
      throw new ImproperConfigurationError(`${where}: schemaName must be a function of the tenant id.`);
    }
    if (bind.config.sessionConfig.autoBegin === false) {
      throw new ImproperConfigurationError(
        `${where} needs sessionConfig.autoBegin (the tenant's schema is set with the transaction): remove autoBegin: false.`,
      );
    }
    return;
  }
  if (bind.config.sessionConfig.twophase === true) {
    throw new ImproperConfigurationError(
      `${where} cannot be used with sessionConfig.twophase (the decision log and recovery are per DataSource, ` +
        'and tenants’ DataSources come and go): use the schema strategy, or remove twophase.',
    );
  }
  if (bind.config.dataSource || bind.config.typeOrmOptions) {
    throw new ImproperConfigurationError(
      `${where} needs a config with connectionString (the tenants' DataSources are made like it): give ` +
        'connectionString instead of a DataSource or TypeORM-shaped options.',
    );
  }
  const template = option.connectionString;
  if (typeof template === 'string' ? !template.includes('{tenant}') : typeof template !== 'function') {
    throw new ImproperConfigurationError(
      `${where}: connectionString must be a template with {tenant} where the tenant id goes ` +
        "(e.g. 'postgresql://app@db/tenant_{tenant}') or a function (tenant) => connection string | undefined.",
    );
  }
  for (const field of ['maxOpenTenants', 'poolSize'] as const) {
    const value = option[field];
    if (value !== undefined && !(Number.isInteger(value) && value >= 1)) {
      throw new ImproperConfigurationError(
        `${where}: ${field} must be a whole number of 1 or more, got ${String(value)}.`,
      );
    }
  }
  const idle = option.idleTimeoutMs;
  if (idle !== undefined && !(Number.isInteger(idle) && idle >= 0)) {
    throw new ImproperConfigurationError(
      `${where}: idleTimeoutMs must be whole milliseconds (0 = never), got ${String(idle)}.`,
    );
  }
}
