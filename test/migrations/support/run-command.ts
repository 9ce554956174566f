import { execFile } from 'node:child_process';
import { join } from 'node:path';

/** The repository root, where the child processes run. */
export const ROOT = join(__dirname, '..', '..', '..');
export const FIXTURES = join(__dirname, '..', 'fixtures');
/** The bin of the library, run from its TypeScript source. */
export const BIN_SOURCE = join(ROOT, 'src', 'cli', 'bin.ts');

/** What a finished child process left: its exit code and output. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node <args>` to completion and never rejects: tests assert on the exit code. stdin is a
 * pipe, not a terminal — as in CI.
 */
export function runNode(args: string[], env: NodeJS.ProcessEnv, cwd: string = ROOT): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      args,
      { cwd, env: { ...process.env, ...env }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

/**
 * Node options that run TypeScript sources as a developer does, with `nestjs-advanced-alchemy`
 * resolved through the tsconfig paths, as jest resolves it. The loader is `@swc-node/register`
 * (what docs/migrations.md recommends): a child starts in about 1.2 s, against 3.7 s under ts-node,
 * whose TypeScript transpiler took two thirds of each start (`node --cpu-prof`). Given by its path,
 * so a child run in a directory without node_modules finds it too.
 */
export function typescriptNodeArgs(): string[] {
  return ['-r', require.resolve('@swc-node/register'), '-r', join(__dirname, 'resolve-library-alias.ts')];
}

export const TYPESCRIPT_ENV: NodeJS.ProcessEnv = {
  TS_NODE_PROJECT: process.env.TS_NODE_PROJECT ?? join(ROOT, 'tsconfig.json'),
  // The tsconfig @swc-node/register compiles with (decorators and their metadata, as Nest needs).
  SWC_NODE_PROJECT: process.env.TS_NODE_PROJECT ?? join(ROOT, 'tsconfig.json'),
  // TypeScript 6 wants an explicit rootDir once files outside the project (temporary migration
  // directories) are compiled by ts-node (the command line's own fallback loader); that is
  // irrelevant when transpiling.
  TS_NODE_IGNORE_DIAGNOSTICS: '5011,6059',
};

/** `node src/cli/bin.ts <args>` on TypeScript sources. */
export function runBinFromSource(args: string[], env: NodeJS.ProcessEnv): Promise<CommandResult> {
  return runNode([...typescriptNodeArgs(), BIN_SOURCE, ...args], { ...TYPESCRIPT_ENV, ...env });
}

/** `node <script.ts> <args>` on TypeScript sources (the two-line `cli.ts` of an application). */
export function runTypescriptScript(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<CommandResult> {
  return runNode([...typescriptNodeArgs(), script, ...args], { ...TYPESCRIPT_ENV, ...env });
}

/** Output of a run, for failure messages. */
export function describeRun(result: CommandResult): string {
  return `exit ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
}
