import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { ROOT } from '../../package/packed-library';
import { runNode, type CommandResult } from '../../migrations/support/run-command';

export const FIXTURE_PROJECTS = join(ROOT, 'test', 'fixtures');
/**
 * Where the fixture projects' dependencies are installed (ALCHEMY_FIXTURE_INSTALLS to move it, e.g.
 * to a CI cache). Not under node_modules: TypeScript takes the first `node_modules` of a path for the
 * package root, and would name `typeorm` as `.cache/…/node_modules/typeorm` in declarations.
 */
const FIXTURE_INSTALLS = process.env.ALCHEMY_FIXTURE_INSTALLS ?? join(ROOT, '.tmp', 'fixture-installs');

/** A copy of a `test/fixtures/<name>` project with its dependencies and the packed library installed. */
export interface FixtureProject {
  name: string;
  /** The copy: the commands run here. */
  directory: string;
  /** `node <args>` in the copy; `env` is added to this process's environment. */
  node(args: string[], env?: NodeJS.ProcessEnv): Promise<CommandResult>;
  /** The path of an installed file, e.g. `nestjs-advanced-alchemy/dist/src/cli/bin.js`. */
  installed(path: string): string;
  dispose(): void;
}

/**
 * Installs a fixture project as a user would (`npm install`, then `npm install <tarball>`) and
 * copies its sources next to the installed node_modules. The dependencies are installed once per
 * lock file and Node version (better-sqlite3 compiles from source: minutes); the tarball is installed again every time, so the copy runs the library
 * as it is now.
 */
export async function prepareFixtureProject(name: string, tarball: string): Promise<FixtureProject> {
  const source = join(FIXTURE_PROJECTS, name);
  const { manifest, lock } = dependenciesForThisNode(
    readFileSync(join(source, 'package.json'), 'utf8'),
    readFileSync(join(source, 'package-lock.json'), 'utf8'),
  );
  const key = createHash('sha256').update(manifest).update(lock).update(process.version).digest('hex').slice(0, 12);
  const install = join(FIXTURE_INSTALLS, `${name}-${key}`);
  if (!existsSync(join(install, '.installed'))) {
    rmSync(install, { recursive: true, force: true });
    mkdirSync(install, { recursive: true });
    writeFileSync(join(install, 'package.json'), manifest);
    writeFileSync(join(install, 'package-lock.json'), lock);
    await npm(install, ['install', '--no-audit', '--no-fund', '--prefer-offline']);
    writeFileSync(join(install, '.installed'), new Date().toISOString());
  }
  await npm(install, ['install', '--no-audit', '--no-fund', '--prefer-offline', '--no-save', tarball]);
  const directory = mkdtempSync(join(install, 'run-'));
  cpSync(source, directory, {
    recursive: true,
    filter: (path) => !/[/\\](node_modules|dist|package-lock\.json)$/.test(path),
  });
  const path = `${join(install, 'node_modules', '.bin')}${delimiter}${process.env.PATH ?? ''}`;
  return {
    name,
    directory,
    node: (args, env = {}) => runNode(args, { PATH: path, ...env }, directory),
    installed: (file) => join(install, 'node_modules', file),
    dispose: () => rmSync(directory, { recursive: true, force: true }),
  };
}

/** The better-sqlite3 that works on this Node (the README's advice): 13.x from Node 22, 12.x (TypeORM's ^12) before. */
export const BETTER_SQLITE3_FOR_NODE_22 = '13.2.0';

/**
 * The fixture's package.json and lock as a user on this Node has them. The lock files are made on Node
 * 20 (better-sqlite3 12.x, the one that runs there). From Node 22 a user's npm picks better-sqlite3 13 —
 * 12.x aborts the process on Node >= 24.19 when a prepared statement is garbage-collected
 * (nodejs/node#65446) — so the manifest asks for 13.x (with an override, for a TypeORM before 1.1.4
 * that declares ^12 only); `npm install` then changes that one package of the lock and keeps every
 * other version it pins.
 */
function dependenciesForThisNode(manifest: string, lock: string): { manifest: string; lock: string } {
  if (Number(process.versions.node.split('.')[0]) < 22) return { manifest, lock };
  const json = JSON.parse(manifest) as { dependencies: Record<string, string>; overrides?: Record<string, string> };
  json.dependencies['better-sqlite3'] = BETTER_SQLITE3_FOR_NODE_22;
  json.overrides = { ...json.overrides, 'better-sqlite3': '$better-sqlite3' };
  return { manifest: `${JSON.stringify(json, null, 2)}\n`, lock };
}

function npm(cwd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('npm', args, { cwd, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`npm ${args.join(' ')} failed in ${cwd}:\n${stdout}\n${stderr}`));
      else resolve();
    });
  });
}

/** A running `node dist/main.js` of a fixture project. */
export interface RunningApp {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts the built application on a free port and waits until it answers `GET /books` (any status: an
 * application started on a database without its tables answers 500, and says why in its output).
 */
export async function startBuiltApp(project: FixtureProject, env: NodeJS.ProcessEnv): Promise<RunningApp> {
  const port = await freePort();
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: project.directory,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`The application exited with ${child.exitCode}:\n${output}`);
    try {
      await fetch(`${url}/books`);
      break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`The application did not answer within 30 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    url,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
