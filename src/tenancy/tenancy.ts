import type { Bind } from '../session/bind';
import { ImproperConfigurationError } from '../errors/improper-configuration.error';
import { TenantContext } from './tenant-context';
import { TenantRejectedError } from './tenant-errors';
import { isWellFormedTenantId } from './tenant-id';
import type { TenancyOptions, TenantSource } from './tenancy-options';
import type { DatabaseTenancy } from './database-strategy';

export const DEFAULT_MISSING_STATUS = 400;
export const DEFAULT_UNKNOWN_STATUS = 404;

/**
 * The application's tenancy at run time: resolves a scope's tenant once, checks it exists, and
 * holds the tenant's DataSources (database strategy) for the scope.
 */
export class Tenancy {
  readonly missingStatus: number;
  readonly unknownStatus: number;

  constructor(
    private readonly options: TenancyOptions,
    /** The bind keys of the database strategy: a tenant's DataSource is held for the whole scope. */
    private readonly databaseBinds: ReadonlyArray<{ base: Bind; strategy: DatabaseTenancy }>,
  ) {
    this.missingStatus = options.missingStatus ?? DEFAULT_MISSING_STATUS;
    this.unknownStatus = options.unknownStatus ?? DEFAULT_UNKNOWN_STATUS;
  }

  /** The tenant of a scope, entered; a scope without one (or with one that does not exist) is refused. */
  async resolve(source: TenantSource): Promise<TenantContext> {
    const tenant = await this.options.resolve(source);
    if (tenant === undefined || tenant === null || tenant === '') {
      throw new TenantRejectedError(
        `No tenant: this ${source.kind === 'http' ? 'request' : source.kind === 'socket' ? 'socket message' : source.kind} does not say which tenant it is for.`,
        this.missingStatus,
        'missing',
      );
    }
    return this.enter(tenant);
  }

  /** A context for `tenant`, with its DataSources held (release it when the scope ends). */
  async enter(tenant: string): Promise<TenantContext> {
    if (!isWellFormedTenantId(tenant) || (this.options.isKnown && !(await this.options.isKnown(tenant)))) {
      throw this.unknown(tenant);
    }
    const context = new TenantContext(tenant);
    try {
      for (const { base, strategy } of this.databaseBinds) {
        const lease = await strategy.lease(tenant);
        if (!lease) throw this.unknown(tenant);
        context.hold(base, lease);
      }
    } catch (error) {
      context.release();
      throw error;
    }
    return context;
  }

  /** Every tenant (`listTenants`), for the command line's `--all-tenants`. */
  async listTenants(): Promise<string[]> {
    if (!this.options.listTenants) {
      throw new ImproperConfigurationError(
        '--all-tenants needs tenancy.listTenants: AdvancedAlchemyModule.forRoot(configs, { tenancy: { resolve, ' +
          'listTenants: () => [...] } }) returning every tenant id.',
      );
    }
    return [...(await this.options.listTenants())];
  }

  /** Every tenant, or `undefined` when the application gave no `listTenants` (health checks). */
  async listTenantsIfKnown(): Promise<string[] | undefined> {
    return this.options.listTenants ? [...(await this.options.listTenants())] : undefined;
  }

  private unknown(tenant: string): TenantRejectedError {
    // The id is the caller's input: shown only when it is well formed (no markup, no control characters).
    const shown = isWellFormedTenantId(tenant) ? `"${tenant}"` : 'given';
    return new TenantRejectedError(
      `Unknown tenant: the tenant ${shown} does not exist.`,
      this.unknownStatus,
      'unknown',
    );
  }
}
