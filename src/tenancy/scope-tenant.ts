import type { EntryPointKind } from '../entry-points/entry-point-options';
import { tenancyOf } from './attach-tenancy';
import { tenantStorage } from './tenant-context';
import type { TenantSource } from './tenancy-options';

/**
 * What a unit of work outside HTTP resolves its tenant from: a queue job (its first argument, the
 * job with its data), a message (its data and context). Scheduled ticks and events have none:
 * they run for the tenant of the code that emitted them, or in `CurrentTenant.run`.
 */
export function tenantSourceOf(entryPoint: EntryPointKind, args: readonly unknown[]): TenantSource | undefined {
  if (entryPoint === 'queues') return { kind: 'job', job: args[0] };
  if (entryPoint === 'messages') return { kind: 'message', data: args[0], context: args[1] };
  return undefined;
}

/**
 * Runs `work` for the tenant `source` resolves to (once, before the unit's first statement), and
 * gives back the tenant's DataSources after it. Work already inside a tenant, or in an application
 * without tenancy, runs as it is. A unit without a tenant fails with `TenantRejectedError`.
 */
export async function withScopeTenant<T>(
  owner: object,
  source: TenantSource | undefined,
  work: () => Promise<T>,
): Promise<T> {
  const tenancy = tenancyOf(owner);
  if (tenancy === undefined || source === undefined || tenantStorage.getStore() !== undefined) return work();
  const context = await tenancy.resolve(source);
  try {
    return await tenantStorage.run(context, work);
  } finally {
    context.release();
  }
}
