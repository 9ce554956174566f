import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { AlchemyConfig } from '../config/alchemy-config';
import { BindMigrationExecutor } from './bind-migration-executor';
import { isDatabaseCliBoot } from './cli-boot-flag';
import { loadMigrations } from './migration-loader';
import { withMigrationRunner } from './migration-connection';
import { schemaLockName, withMigrationLock } from './migration-lock';
import { upgradeMigrations } from './migration-runner';
import { resolveMigrationSettings } from './migration-settings';
import { planUpgrade } from './revision';

/**
 * `migrationConfig.runOnStartup`: applies the bind key's pending migrations (like `upgrade head`)
 * on its freshly connected DataSource. Does nothing when the option is off or while the migration
 * command line boots the application. Returns the revisions applied.
 */
export async function runMigrationsOnStartup(config: AlchemyConfig, dataSource: DataSource): Promise<string[]> {
  if (!config.migrationConfig.runOnStartup || isDatabaseCliBoot()) return [];
  const settings = resolveMigrationSettings(config);
  const executor = new BindMigrationExecutor(dataSource, settings, await loadMigrations(settings));
  // Instances starting together: one applies, the others wait and then find the plan empty.
  return withMigrationLock(dataSource, schemaLockName(config), () => applyPending(config, dataSource, executor));
}

async function applyPending(
  config: AlchemyConfig,
  dataSource: DataSource,
  executor: BindMigrationExecutor,
): Promise<string[]> {
  return withMigrationRunner(dataSource, async (runner) => {
    const names = executor.loaded.map((migration) => migration.name);
    const plan = planUpgrade('head', names, await executor.applied(runner), config.bindKey);
    if (plan.length === 0) return [];
    await upgradeMigrations(executor, runner, plan);
    new Logger('AdvancedAlchemy').log(
      `Bind key "${config.bindKey}": applied ${plan.length} migration(s) at startup, now at ${plan[plan.length - 1]}.`,
    );
    return plan;
  });
}
