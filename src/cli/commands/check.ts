import type { Command } from 'commander';
import { upgradeMigrations } from '../../migrations/migration-runner';
import { planUpgrade } from '../../migrations/revision';
import { computeSchemaDiff, uncoveredStatements } from '../../migrations/schema-diff';
import { createRecordingRunner, renderStatement } from '../../migrations/sql-recorder';
import type { CliContext } from '../cli-context';
import { tenantAction } from './tenant-options';
import { CliError } from '../cli-error';
import { bindKeyOption, migrationState, type BindKeyOption } from './shared';

/**
 * `check`: exits 1 when the entities differ from the database in a way no pending migration
 * covers (the pending migrations' statements are recorded, not run, and compared with the
 * difference), 0 otherwise.
 */
export function registerCheck(database: Command, context: CliContext): void {
  const command = database
    .command('check')
    .description('exit 1 when the entities have changes that no migration (applied or pending) covers');
  tenantAction(bindKeyOption(command, false), context, async (options: BindKeyOption) => {
    const [bind] = await context.binds(options.bindKey, false);
    const uncovered = await context.forBind(bind, async () => {
      const diff = await computeSchemaDiff(bind.dataSource);
      if (diff.up.length === 0) {
        context.say(`[${bind.bindKey}] No changes: the entities match the database.`);
        return { missing: [], pending: [] as string[] };
      }
      const { executor, available, applied } = await migrationState(context, bind);
      const pending = planUpgrade('head', available, applied, bind.bindKey);
      const { runner, statements } = createRecordingRunner(bind.dataSource);
      try {
        if (pending.length) await upgradeMigrations(executor, runner, pending);
      } finally {
        await runner.release();
      }
      const missing = uncoveredStatements(diff.up, statements);
      if (missing.length === 0) {
        context.say(
          `[${bind.bindKey}] The entities differ from the database, and the pending migrations cover it ` +
            `(${pending.join(', ')}): run upgrade.`,
        );
      }
      return { missing, pending };
    });
    const { missing, pending } = uncovered;
    if (missing.length === 0) return;
    context.say(`[${bind.bindKey}] The entities differ from the database and no migration covers it:`);
    missing.forEach((statement) => context.say(`  ${renderStatement(statement)}`));
    // make-migrations refuses to run while migrations are pending: name upgrade first, never a circle.
    const next =
      pending.length > 0
        ? `run upgrade first (pending: ${pending.join(', ')}), then make-migrations`
        : 'run make-migrations';
    throw new CliError(
      `Bind key "${bind.bindKey}": ${missing.length} schema change(s) not covered by a migration: ${next}.`,
    );
  });
}
