import { Injectable } from '@nestjs/common';
import { AdvancedAlchemy } from '../core/advanced-alchemy';
import { ImproperConfigurationError } from '../errors/improper-configuration.error';
import { tenancyOf } from './attach-tenancy';
import { tenantStorage } from './tenant-context';
import { TenantRequiredError } from './tenant-errors';

/**
 * The tenant of the current request, job or message, for services: `currentTenant.id`. Outside one
 * (a script, a test), `run(tenantId, work)` gives `work` a tenant of its own.
 */
@Injectable()
export class CurrentTenant {
  constructor(private readonly alchemy: AdvancedAlchemy) {}

  /** The current tenant's id; throws outside any tenant. */
  get id(): string {
    const context = tenantStorage.getStore();
    if (context) return context.id;
    throw new TenantRequiredError(
      'No tenant here: this code runs outside a request, job or message whose tenant was resolved. ' +
        'Run it in CurrentTenant.run(tenantId, work).',
    );
  }

  /** The current tenant's id, or `undefined` outside any tenant. */
  get idOrUndefined(): string | undefined {
    return tenantStorage.getStore()?.id;
  }

  /**
   * Runs `work` for `tenant` (checked as a request's would be: an unknown one throws
   * `TenantRejectedError`), holding its DataSources until `work` settles. Sessions opened inside
   * (`withSession`, `transaction`) work in that tenant's schema or database.
   */
  async run<T>(tenant: string, work: () => Promise<T>): Promise<T> {
    const tenancy = tenancyOf(this.alchemy);
    if (!tenancy) {
      throw new ImproperConfigurationError(
        'CurrentTenant.run needs tenancy: AdvancedAlchemyModule.forRoot(configs, { tenancy: { resolve } }).',
      );
    }
    const context = await tenancy.enter(tenant);
    try {
      return await tenantStorage.run(context, work);
    } finally {
      context.release();
    }
  }
}
