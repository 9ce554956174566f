import type { Command } from 'commander';
import { dropAllTables } from '../../migrations/drop-all';
import type { CliContext } from '../cli-context';
import { confirmOrRefuse, ensureCanConfirm } from '../confirm';
import { bindKeyOption, promptOption, type BindKeyOption } from './shared';

interface DropAllOptions extends BindKeyOption {
  prompt: boolean;
}

/** `drop-all`: drops the tables of each bind key's entities and its version table. */
export function registerDropAll(database: Command, context: CliContext): void {
  const command = database
    .command('drop-all')
    .description("drop every table of the bind keys' entities, and their version tables");
  promptOption(bindKeyOption(command, true)).action(async (options: DropAllOptions) => {
    ensureCanConfirm(options.prompt, 'drop-all');
    const binds = await context.binds(options.bindKey, true);
    await confirmOrRefuse(
      options.prompt,
      'drop-all',
      `Drop every table of ${binds.map((bind) => `bind key "${bind.bindKey}" (${bind.target})`).join(', ')}, ` +
        'with the data in them and their migration history? This cannot be undone.',
    );
    for (const bind of binds) {
      const dropped = await context.forBind(bind, async () =>
        dropAllTables(bind.dataSource, (await context.executor(bind, false)).versionTable),
      );
      context.say(
        `[${bind.bindKey}] Dropped ${dropped.length} table(s)${dropped.length ? `: ${dropped.join(', ')}` : ''}.`,
      );
    }
  });
}
