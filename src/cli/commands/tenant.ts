import type { Command } from 'commander';
import { HEAD } from '../../migrations/revision';
import type { CliContext } from '../cli-context';
import { bindKeyOption, type BindKeyOption } from './shared';
import { upgrade } from './upgrade';

/** `tenant create <id>`: a new tenant's schema (or database) with every migration applied. */
export function registerTenant(database: Command, context: CliContext): void {
  const tenant = database.command('tenant').description('the tenants of tenant-scoped bind keys');
  bindKeyOption(
    tenant
      .command('create')
      .description("create a tenant's schema (schema strategy) and apply every migration to it")
      .argument('<id>', 'the tenant id'),
    true,
  ).action(async (id: string, options: BindKeyOption) => {
    await context.createTenantSchemas(id, options.bindKey);
    await context.asTenant(id, () => upgrade(context, HEAD, options));
    context.say(`Tenant "${id}" created.`);
  });
}
