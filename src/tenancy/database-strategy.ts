import { AlchemyConfig } from '../config/alchemy-config';
import { openBind } from '../core/open-bind';
import { scopeOwnerOf, setScopeOwner } from '../session/session-scope';
import type { Bind, BindTenancy, TenantSessionSetup } from '../session/bind';
import { currentTenantOf } from './current-tenant-of';
import { tenantStorage, type TenantLease } from './tenant-context';
import { TenantRequiredError } from './tenant-errors';
import { TenantBindPool } from './tenant-bind-pool';
import type { DatabaseStrategyOption } from './tenancy-options';

export const DEFAULT_MAX_OPEN_TENANTS = 20;
export const DEFAULT_TENANT_POOL_SIZE = 2;
export const DEFAULT_TENANT_IDLE_TIMEOUT_MS = 60_000;

/**
 * The `database` strategy: a DataSource per tenant, made from the bind key's own configuration with
 * the tenant's connection string and a small pool, opened on first use and held by the scopes that
 * use it (so it is never closed under them). At most `maxOpenTenants` are open.
 */
export class DatabaseTenancy implements BindTenancy {
  readonly strategy = 'database';
  readonly readsInTransaction = false;
  readonly pool: TenantBindPool;
  /** Tenants whose tables `createAll` made (or found) in this process: not asked again when reopened. */
  readonly #created = new Set<string>();

  constructor(
    private readonly base: Bind,
    option: DatabaseStrategyOption,
    secrets: string[],
  ) {
    const poolSize = option.poolSize ?? DEFAULT_TENANT_POOL_SIZE;
    const template = option.connectionString;
    const locate =
      typeof template === 'function'
        ? async (tenant: string) => template(tenant)
        : async (tenant: string) => template.split('{tenant}').join(tenant);
    this.pool = new TenantBindPool(
      {
        maxOpen: option.maxOpenTenants ?? DEFAULT_MAX_OPEN_TENANTS,
        idleTimeoutMs: option.idleTimeoutMs ?? DEFAULT_TENANT_IDLE_TIMEOUT_MS,
      },
      locate,
      async (tenant, connectionString) => {
        const createAll = base.config.createAll && !this.#created.has(tenant);
        const config = tenantConfig(base, connectionString, poolSize, createAll);
        // What does not change per tenant was checked once, when the bind key opened: no schema-status
        // read nor isolation-level question per tenant (the health indicator checks open tenants).
        const bind = await openBind(config, base.index, secrets, { tenant: true });
        if (createAll) this.#created.add(tenant);
        const owner = scopeOwnerOf(base);
        if (owner) setScopeOwner(bind, owner);
        return bind;
      },
      async (bind) => {
        if (bind.dataSource.isInitialized) await bind.dataSource.destroy();
      },
    );
  }

  lease(tenant: string): Promise<TenantLease | undefined> {
    return this.pool.lease(tenant);
  }

  sessionSetup(base: Bind): TenantSessionSetup {
    const tenant = currentTenantOf(base);
    const bind = tenantStorage.getStore()?.leasedBind(base);
    if (!bind) {
      throw new TenantRequiredError(
        `The DataSource of tenant "${tenant}" on bind key "${base.key}" is not held by this scope: ` +
          'run the work in a request, job or message whose tenant was resolved, or in CurrentTenant.run().',
      );
    }
    return { tenant, bind };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/**
 * The bind key's configuration pointed at one tenant's database, with the tenant pool's size; what
 * the bind key found out at startup (whether reads may run before the BEGIN) is reused as it is.
 */
function tenantConfig(bind: Bind, connectionString: string, poolSize: number, createAll: boolean): AlchemyConfig {
  const base = bind.config;
  return new AlchemyConfig({
    bindKey: base.bindKey,
    connectionString,
    createDataSource: base.createDataSource,
    engineConfig: { ...base.engineConfig, poolSize },
    sessionConfig: { ...base.sessionConfig, beginOnFirstWrite: bind.beginOnFirstWrite },
    entities: base.entities,
    autoLoadEntities: base.autoLoadEntities,
    createAll,
    enableTouchUpdatedTimestampListener: base.enableTouchUpdatedTimestampListener,
    // The tenants' migrations are the command line's business (db upgrade --all-tenants).
    migrationConfig: { ...base.migrationConfig, runOnStartup: false },
    commitMode: base.commitModeStated ? base.commitMode : undefined,
    warnOnUncommittedWrites: base.warnOnUncommittedWrites,
  });
}
