import { Command } from 'commander';
import type { CliContext } from './cli-context';
import { registerCheck } from './commands/check';
import { registerDoctor } from './commands/doctor';
import { registerDowngrade } from './commands/downgrade';
import { registerDropAll } from './commands/drop-all';
import { registerDumpData } from './commands/dump-data';
import { registerInit } from './commands/init';
import { registerLoadData } from './commands/load-data';
import { registerMakeMigrations } from './commands/make-migrations';
import { registerRevisionCommands } from './commands/revisions';
import { registerRecover } from './commands/recover';
import { registerStamp } from './commands/stamp';
import { registerUpgrade } from './commands/upgrade';
import { registerTenant } from './commands/tenant';

/**
 * The command tree: `<name> database|db <command> …`, and `<name> doctor`. `configure` adds options to the root
 * (the bin's `--app` / `--module`); they may be written anywhere on the line.
 */
export function buildDatabaseProgram(
  name: string,
  context: CliContext,
  configure: (program: Command) => void = () => undefined,
): Command {
  const program = new Command(name).exitOverride().showHelpAfterError('(add --help for usage)');
  configure(program);
  registerDoctor(program, context);
  const database = program
    .command('database')
    .alias('db')
    .description('manage the migrations and data of each bind key (Advanced Alchemy)');
  registerInit(database, context);
  registerMakeMigrations(database, context);
  registerUpgrade(database, context);
  registerDowngrade(database, context);
  registerStamp(database, context);
  registerRevisionCommands(database, context);
  registerCheck(database, context);
  registerDropAll(database, context);
  registerDumpData(database, context);
  registerLoadData(database, context);
  registerRecover(database, context);
  registerTenant(database, context);
  return program;
}
