import { basename } from 'node:path';
import type { Command } from 'commander';
import { type RootModule } from '../migrations/boot-for-migrations';
import { CliContext } from './cli-context';
import { CliError, EXIT } from './cli-error';

export interface RunDatabaseCliOptions {
  /** Program name in help and errors. Default: the script's file name. */
  name?: string;
  /** End the process with the exit code when done (default `true`: an app's timers cannot keep it alive). */
  exit?: boolean;
}

/**
 * The `database` command line of an application (the seed's `flask database …`), for a two-line
 * `cli.ts`:
 *
 *     import { runDatabaseCli } from 'nestjs-advanced-alchemy';
 *     void runDatabaseCli(AppModule);
 *
 * then `ts-node src/cli.ts database upgrade` (CommonJS), `node --import @swc-node/register/esm-register
 * src/cli.ts database upgrade` (ES modules) or, after `nest build`, `node dist/cli.js db upgrade`.
 * `argv` is the arguments after the script (default `process.argv.slice(2)`). Resolves to the
 * exit code: 0 done, 1 failed (or `check` found uncovered changes), 2 usage error or refused.
 */
export function runDatabaseCli(
  rootModule: RootModule,
  argv: readonly string[] = process.argv.slice(2),
  options: RunDatabaseCliOptions = {},
): Promise<number> {
  return runCli(argv, options, () => rootModule);
}

/** Shared by `runDatabaseCli` and the bin (which adds `--app` / `--module` and loads the module from them). */
export async function runCli(
  argv: readonly string[],
  options: RunDatabaseCliOptions,
  rootModule: (program: Command) => RootModule | Promise<RootModule>,
  configure?: (program: Command) => void,
): Promise<number> {
  // The module is resolved when a command first needs the application, after parsing.
  const context = new CliContext(() => rootModule(program));
  // Loaded here, not with the library: importing the library must not load the command line.
  const { buildDatabaseProgram } = await import('./database-program');
  const program = buildDatabaseProgram(options.name ?? basename(process.argv[1] ?? 'cli'), context, configure);
  let code: number = EXIT.ok;
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    code = report(error);
  }
  try {
    await context.close();
  } catch (error) {
    code = Math.max(code, report(error));
  }
  context.progress.clear();
  process.exitCode = code;
  if (options.exit !== false) process.exit(code);
  return code;
}

function report(error: unknown): number {
  if (isCommanderError(error)) {
    // Commander has printed the message (or the help) already.
    return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? EXIT.ok : EXIT.usage;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`Error: ${message}\n`);
  return error instanceof CliError ? error.exitCode : EXIT.failure;
}

/** Commander's own errors (usage, help) carry a `commander.*` code. */
function isCommanderError(error: unknown): error is Error & { code: string } {
  const code: unknown = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('commander.');
}
