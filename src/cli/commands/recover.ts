import type { Command } from 'commander';
import type { CliContext } from '../cli-context';
import { CliError } from '../cli-error';

/**
 * `recover [--dry-run]`: lists this application's in-doubt two-phase transactions (prepared, not
 * finished) on every `twophase` bind key and finishes those whose instance is not alive: committed
 * when the decision log holds their commit decision, rolled back otherwise. Those of a live instance
 * (its lease not expired) are listed and left to it. Exits 1 when one could not be finished.
 */
export function registerRecover(database: Command, context: CliContext): void {
  database
    .command('recover')
    .description('finish the in-doubt two-phase transactions of the twophase bind keys (commit or roll back)')
    .option('--dry-run', 'list the in-doubt transactions and what would be done, change nothing')
    .action(async (options: { dryRun?: boolean }) => {
      const coordinator = await context.twoPhase();
      if (!coordinator) throw new CliError('No bind key has sessionConfig.twophase: there is nothing to recover.');
      const report = await coordinator.recover({ dryRun: options.dryRun === true });
      if (report.length === 0) context.say('No in-doubt two-phase transactions.');
      for (const entry of report) {
        const action = entry.outcome === 'commit' ? 'commit' : 'roll back';
        const state = entry.liveInstance
          ? `left to instance ${entry.liveInstance} (alive: its lease has not expired)`
          : options.dryRun
            ? `would ${action}`
            : entry.resolved
              ? `${action}: done`
              : `${action}: FAILED (${entry.error})`;
        context.say(`[${entry.bindKey}] ${entry.xid}: ${state}`);
      }
      const failed = report.filter((entry) => !options.dryRun && !entry.resolved && !entry.liveInstance);
      if (failed.length)
        throw new CliError(`${failed.length} in-doubt transaction(s) could not be finished; run recover again.`);
    });
}
