import type { Command } from 'commander';
import type { CliContext } from '../cli-context';
import { CliError, EXIT } from '../cli-error';

interface TenantOptions {
  tenant?: string;
  allTenants?: boolean;
}

/**
 * Adds `--tenant <id>` and `--all-tenants` to a command: its action then runs once per tenant, on
 * the tenant-scoped bind keys' schema or database. With `--all-tenants` a failing tenant does not
 * stop the others: each failure is named, a summary ends the output, and the exit code is 1.
 */
export function tenantAction<Args extends unknown[]>(
  command: Command,
  context: CliContext,
  action: (...args: Args) => Promise<void>,
): Command {
  command
    .option('--tenant <id>', 'run for this tenant only (tenant-scoped bind keys)')
    .option('--all-tenants', 'run for every tenant (tenancy.listTenants), continuing past failures');
  return command.action(async (...args: Args) => {
    const options = args[args.length - 2] as TenantOptions;
    if (options.tenant !== undefined && options.allTenants) {
      throw new CliError('Choose one of --tenant and --all-tenants.', EXIT.usage);
    }
    if (options.tenant !== undefined) return context.asTenant(options.tenant, () => action(...args));
    if (!options.allTenants) return action(...args);
    const tenants = await context.allTenants();
    const failures: Array<{ tenant: string; message: string }> = [];
    for (const [index, tenant] of tenants.entries()) {
      context.progress.update(`tenant ${index + 1}/${tenants.length}: ${tenant}`);
      try {
        await context.asTenant(tenant, () => action(...args));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        failures.push({ tenant, message });
        context.say(`[tenant ${tenant}] FAILED: ${message}`);
      }
    }
    context.say(`${tenants.length - failures.length} of ${tenants.length} tenant(s) done, ${failures.length} failed.`);
    if (failures.length > 0) {
      throw new CliError(
        `Failed for ${failures.length} tenant(s): ${failures.map((failure) => failure.tenant).join(', ')}.`,
      );
    }
  });
}
