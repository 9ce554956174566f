import { relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { bindTables } from '../../migrations/bind-tables';
import { dumpTables } from '../../migrations/data-dump';
import type { CliContext } from '../cli-context';
import { CliError, EXIT } from '../cli-error';
import { bindKeyOption, type BindKeyOption } from './shared';

interface DumpDataOptions extends BindKeyOption {
  table: string[];
  dir: string;
}

/** `dump-data --table NAME… | --table '*'`: writes each table as `<dir>/<bindKey>/<table>.json`. */
export function registerDumpData(database: Command, context: CliContext): void {
  const command = database
    .command('dump-data')
    .description("write tables of the bind keys' entities as JSON, one <dir>/<bindKey>/<table>.json each")
    .requiredOption('--table <names...>', "tables to dump; '*' for every table of the entities")
    .option('--dir <directory>', 'where to write', 'fixtures');
  bindKeyOption(command, true).action(async (options: DumpDataOptions) => {
    const binds = await context.binds(options.bindKey, true);
    const everything = options.table.includes('*');
    const chosen = binds.map((bind) => {
      const tables = bindTables(bind.dataSource);
      return { bind, tables: everything ? tables : tables.filter((table) => options.table.includes(table.name)) };
    });
    const found = new Set(chosen.flatMap(({ tables }) => tables.map((table) => table.name)));
    const unknown = everything ? [] : options.table.filter((name) => !found.has(name));
    if (unknown.length) {
      throw new CliError(
        `No table ${unknown.join(', ')} in the entities of bind key(s) ${binds.map((b) => b.bindKey).join(', ')}.`,
        EXIT.failure,
      );
    }
    for (const { bind, tables } of chosen) {
      if (tables.length === 0) continue;
      const directory = resolve(options.dir, bind.bindKey);
      const counts = await context.forBind(bind, () =>
        dumpTables(bind.dataSource, tables, directory, (table, rows, position, total) =>
          context.progress.update(`[${bind.bindKey}] dumped ${table}: ${rows} row(s) (${position}/${total})`),
        ),
      );
      const summary = [...counts].map(([table, rows]) => `${table} (${rows})`).join(', ');
      context.say(
        `[${bind.bindKey}] Dumped ${counts.size} table(s) to ${relative(process.cwd(), directory)}: ${summary}.`,
      );
    }
  });
}
