import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { bindTables } from '../../migrations/bind-tables';
import { loadTables } from '../../migrations/data-load';
import type { CliContext } from '../cli-context';
import { CliError } from '../cli-error';
import { confirmOrRefuse, ensureCanConfirm } from '../confirm';
import { bindKeyOption, promptOption, type BindKeyOption } from './shared';

interface LoadDataOptions extends BindKeyOption {
  dir: string;
  prompt: boolean;
}

/** `load-data --dir fixtures`: the inverse of `dump-data`, for one bind key, in one transaction. */
export function registerLoadData(database: Command, context: CliContext): void {
  const command = database
    .command('load-data')
    .description('insert the rows of <dir>/<bindKey>/<table>.json files (written by dump-data), in one transaction')
    .option('--dir <directory>', 'where dump-data wrote', 'fixtures');
  promptOption(bindKeyOption(command, false)).action(async (options: LoadDataOptions) => {
    ensureCanConfirm(options.prompt, 'load-data');
    const [bind] = await context.binds(options.bindKey, false);
    const directory = resolve(options.dir, bind.bindKey);
    const shown = relative(process.cwd(), directory);
    if (!existsSync(directory)) {
      throw new CliError(`Bind key "${bind.bindKey}": no ${shown} directory to load (dump-data writes it).`);
    }
    await confirmOrRefuse(
      options.prompt,
      'load-data',
      `Insert the rows of ${shown}/*.json into bind key "${bind.bindKey}" (${bind.target})?`,
    );
    const counts = await context.forBind(bind, () =>
      loadTables(bind.dataSource, bind.bindKey, bindTables(bind.dataSource), directory, (table, rows, at, total) =>
        context.progress.update(`[${bind.bindKey}] loaded ${table}: ${rows} row(s) (${at}/${total})`),
      ),
    );
    const summary = [...counts].map(([table, rows]) => `${table} (${rows})`).join(', ');
    context.say(`[${bind.bindKey}] Loaded ${counts.size} table(s) from ${shown}: ${summary || 'no files'}.`);
  });
}
