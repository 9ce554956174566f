import type { Command } from 'commander';
import { stampRevisions } from '../../migrations/migration-runner';
import { planStamp } from '../../migrations/revision';
import type { CliContext } from '../cli-context';
import { confirmOrRefuse, ensureCanConfirm } from '../confirm';
import { bindKeyOption, migrationState, promptOption, type BindKeyOption } from './shared';

interface StampOptions extends BindKeyOption {
  prompt: boolean;
}

/** `stamp REVISION`: records exactly the migrations up to REVISION as applied, running none of them. */
export function registerStamp(database: Command, context: CliContext): void {
  const command = database
    .command('stamp')
    .description('mark the database as at a revision without running any migration')
    .argument('<revision>', 'head, base, or a revision');
  promptOption(bindKeyOption(command, false)).action(async (revision: string, options: StampOptions) => {
    ensureCanConfirm(options.prompt, 'stamp');
    const [bind] = await context.binds(options.bindKey, false);
    await context.forBind(bind, async () => {
      const { executor, available, applied } = await migrationState(context, bind);
      const change = planStamp(revision, available, applied, bind.bindKey);
      if (change.record.length === 0 && change.forget.length === 0) {
        context.say(`[${bind.bindKey}] Already stamped at ${revision}: nothing to change.`);
        return;
      }
      await confirmOrRefuse(
        options.prompt,
        'stamp',
        `Rewrite the version table of bind key "${bind.bindKey}" (${bind.target}) to ${revision}` +
          ` (record ${change.record.length}, forget ${change.forget.length}) without running migrations?`,
      );
      const runner = bind.dataSource.createQueryRunner();
      try {
        await stampRevisions(executor, runner, change);
      } finally {
        await runner.release();
      }
      context.say(
        `[${bind.bindKey}] Stamped at ${revision}: recorded ${change.record.length}, forgot ${change.forget.length}.`,
      );
    });
  });
}
