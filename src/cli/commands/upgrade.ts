import type { Command } from 'commander';
import { upgradeMigrations } from '../../migrations/migration-runner';
import { withMigrationRunner } from '../../migrations/migration-connection';
import { currentRevision, HEAD, planUpgrade } from '../../migrations/revision';
import type { CliContext } from '../cli-context';
import { tenantAction } from './tenant-options';
import { bindKeyOption, migrationState, recordSql, type BindKeyOption } from './shared';

export interface UpgradeOptions extends BindKeyOption {
  sql?: boolean;
}

/** `upgrade [REVISION=head]`: applies the pending migrations up to REVISION; `--sql` prints them instead. */
export function registerUpgrade(database: Command, context: CliContext): void {
  const command = database
    .command('upgrade')
    .description('apply migrations up to a revision (default: head)')
    .argument('[revision]', 'head, a revision, or +N', HEAD)
    .option('--sql', 'print the SQL instead of running it');
  tenantAction(bindKeyOption(command, true), context, (revision: string, options: UpgradeOptions) =>
    upgrade(context, revision, options),
  );
}

/** Applies the pending migrations of the chosen bind keys up to `revision` (or prints their SQL). */
export async function upgrade(context: CliContext, revision: string, options: UpgradeOptions): Promise<void> {
  for (const bind of await context.binds(options.bindKey, true)) {
    await context.forBind(bind, async () => {
      const { executor, available, applied } = await migrationState(context, bind);
      const plan = planUpgrade(revision, available, applied, bind.bindKey);
      if (options.sql) {
        const sql = plan.length ? await recordSql(bind, (runner) => upgradeMigrations(executor, runner, plan)) : [];
        context.say(`-- Bind key "${bind.bindKey}": upgrade ${plan.length ? plan.join(', ') : '(nothing to do)'}`);
        sql.forEach((line) => context.say(line));
        return;
      }
      if (plan.length === 0) {
        context.say(`[${bind.bindKey}] Already at ${currentRevision(applied)}: nothing to upgrade.`);
        return;
      }
      await withMigrationRunner(bind.dataSource, (runner) =>
        upgradeMigrations(executor, runner, plan, (step) =>
          context.progress.update(`[${bind.bindKey}] applying ${step.name} (${step.position}/${step.total})`),
        ),
      );
      context.say(`[${bind.bindKey}] Upgraded to ${plan[plan.length - 1]}: applied ${plan.length} migration(s).`);
    });
  }
}
