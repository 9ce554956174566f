import type { Bind } from '../session/bind';
import { tenantStorage } from './tenant-context';
import { TenantRequiredError } from './tenant-errors';

/** The tenant the current code runs for, which a session of tenant-scoped `bind` must have. */
export function currentTenantOf(bind: Bind): string {
  const context = tenantStorage.getStore();
  if (context) return context.id;
  throw new TenantRequiredError(
    `Bind key "${bind.key}" is tenant-scoped and this session has no tenant: it runs outside a request ` +
      '(or job, or message) whose tenant was resolved. Run the work in CurrentTenant.run(tenantId, work).',
  );
}
