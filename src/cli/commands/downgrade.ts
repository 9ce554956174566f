import type { Command } from 'commander';
import { downgradeMigrations } from '../../migrations/migration-runner';
import { withMigrationRunner } from '../../migrations/migration-connection';
import { currentRevision, planDowngrade } from '../../migrations/revision';
import type { CliContext } from '../cli-context';
import { tenantAction } from './tenant-options';
import { confirmOrRefuse, ensureCanConfirm } from '../confirm';
import { bindKeyOption, migrationState, promptOption, recordSql, type BindKeyOption } from './shared';

interface DowngradeOptions extends BindKeyOption {
  sql?: boolean;
  prompt: boolean;
}

/** `downgrade [REVISION=-1]`: reverts migrations down to REVISION (`-N`, a revision, or `base`). */
export function registerDowngrade(database: Command, context: CliContext): void {
  const command = database
    .command('downgrade')
    .description('revert migrations down to a revision (default: -1, the last one applied)')
    .argument('[revision]', '-N, a revision, or base', '-1')
    .option('--sql', 'print the SQL instead of running it');
  tenantAction(
    promptOption(bindKeyOption(command, false)),
    context,
    async (revision: string, options: DowngradeOptions) => {
      // Printing SQL changes nothing, so it needs no confirmation.
      if (!options.sql) ensureCanConfirm(options.prompt, 'downgrade');
      const [bind] = await context.binds(options.bindKey, false);
      await context.forBind(bind, async () => {
        const { executor, available, applied } = await migrationState(context, bind);
        const plan = planDowngrade(revision, available, applied, bind.bindKey);
        if (options.sql) {
          const sql = plan.length ? await recordSql(bind, (runner) => downgradeMigrations(executor, runner, plan)) : [];
          context.say(`-- Bind key "${bind.bindKey}": downgrade ${plan.length ? plan.join(', ') : '(nothing to do)'}`);
          sql.forEach((line) => context.say(line));
          return;
        }
        if (plan.length === 0) {
          context.say(`[${bind.bindKey}] Already at ${currentRevision(applied)}: nothing to downgrade.`);
          return;
        }
        await confirmOrRefuse(
          options.prompt,
          'downgrade',
          `Revert ${plan.length} migration(s) of bind key "${bind.bindKey}" (${bind.target}): ${plan.join(', ')}?`,
        );
        await withMigrationRunner(bind.dataSource, (runner) =>
          downgradeMigrations(executor, runner, plan, (step) =>
            context.progress.update(`[${bind.bindKey}] reverting ${step.name} (${step.position}/${step.total})`),
          ),
        );
        const reverted = new Set(plan);
        const now = currentRevision(applied.filter((migration) => !reverted.has(migration.name)));
        context.say(`[${bind.bindKey}] Downgraded to ${now}: reverted ${plan.length} migration(s).`);
      });
    },
  );
}
