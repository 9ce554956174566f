import type { Command } from 'commander';
import type { BindMigrationExecutor } from '../../migrations/bind-migration-executor';
import {
  chooseMigrationFormat,
  type MigrationFormat,
  type MigrationFormatOptions,
} from '../../migrations/migration-format';
import type { TypeScriptLayout } from '../../migrations/project-layout';
import type { AppliedRevision } from '../../migrations/revision';
import { createRecordingRunner, renderStatement } from '../../migrations/sql-recorder';
import type { CliBind, CliContext } from '../cli-context';
import { CliError, EXIT } from '../cli-error';

/** Options every command takes. */
export interface BindKeyOption {
  bindKey?: string;
}

export function bindKeyOption(command: Command, every: boolean): Command {
  return command.option(
    '--bind-key <key>',
    every
      ? 'work on this bind key only (default: every configured one)'
      : 'the bind key (default: the first configured)',
  );
}

export function promptOption(command: Command): Command {
  return command.option('--no-prompt', 'do not ask for confirmation (needed when stdin is not a terminal)');
}

export function languageOptions(command: Command): Command {
  return command
    .option('--js', 'write JavaScript migration files')
    .option('--ts', 'write TypeScript migration files')
    .option('--esm', 'write ES modules (import/export), whatever the package.json type')
    .option('--cjs', 'write CommonJS modules (require/module.exports), whatever the package.json type');
}

/**
 * The format of new migration files in `directory`: `--js`/`--ts` and `--esm`/`--cjs`, else
 * TypeScript in the project's sources (or when the command runs on TypeScript) and the module
 * system of the directory's package.json (see `chooseMigrationFormat`).
 */
export function migrationFormat(
  options: MigrationFormatOptions,
  directory: string,
  layout: TypeScriptLayout | undefined,
): MigrationFormat {
  if (options.js && options.ts) throw new CliError('Choose one of --js and --ts.', EXIT.usage);
  if (options.esm && options.cjs) throw new CliError('Choose one of --esm and --cjs.', EXIT.usage);
  return chooseMigrationFormat(options, directory, layout);
}

/** The bind key's executor with its migration files loaded, the revisions they define and what is applied. */
export async function migrationState(
  context: CliContext,
  bind: CliBind,
): Promise<{ executor: BindMigrationExecutor; available: string[]; applied: AppliedRevision[] }> {
  const executor = await context.executor(bind);
  const runner = bind.dataSource.createQueryRunner();
  try {
    const applied = await executor.applied(runner);
    return { executor, available: executor.loaded.map((migration) => migration.name), applied };
  } finally {
    await runner.release();
  }
}

/** Runs `work` on a recording query runner and returns the SQL it would have sent. */
export async function recordSql(
  bind: CliBind,
  work: (runner: ReturnType<typeof createRecordingRunner>['runner']) => Promise<void>,
): Promise<string[]> {
  const { runner, statements } = createRecordingRunner(bind.dataSource);
  try {
    await work(runner);
  } finally {
    await runner.release();
  }
  return statements.map(renderStatement);
}
