import { existsSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ImproperConfigurationError } from '../errors/improper-configuration.error';
import type { ModuleSystem } from './module-system';

/** A loader the user started node with (`--import tsx`, `--loader ts-node/esm`, …) handles `.ts` imports. */
const TYPESCRIPT_LOADER_FLAG = /--(?:import|loader|experimental-loader)[= ](?:\S*(?:tsx|ts-node|swc-node|@swc)\S*)/;

let esmHooksRegistered = false;

/** True when this process can load `.ts` files (a require hook, or ES module hooks, is registered). */
export function isTypeScriptLoaderActive(): boolean {
  return isRequireHookActive() || isEsmLoaderActive();
}

function isRequireHookActive(): boolean {
  // `require.extensions` is deprecated for adding loaders, but it is where they register.
  return typeof require.extensions['.ts'] === 'function';
}

function isEsmLoaderActive(): boolean {
  const flags = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].join(' ');
  return esmHooksRegistered || TYPESCRIPT_LOADER_FLAG.test(flags);
}

/**
 * Makes `.ts` files of `system` loadable, from the packages installed in `fromDirectory` (the
 * user's project). CommonJS: ts-node (transpile only: a type error must not fail the command) or
 * else @swc-node/register, plus tsconfig-paths when installed. ES modules: the ES module hooks of
 * @swc-node/register — tsx drops `emitDecoratorMetadata` (Nest then injects `undefined`) and
 * ts-node/esm cannot resolve Nest 12's own ES modules (docs/migrations.md has the comparison).
 * `why` starts the error when no loader is installed.
 */
export function ensureTypeScriptLoader(fromDirectory: string, why: string, system: ModuleSystem = 'commonjs'): void {
  const fromProject = createRequire(join(fromDirectory, 'noop.js'));
  const project = findUp(fromDirectory, 'tsconfig.json');
  if (system === 'esm') {
    if (isEsmLoaderActive()) return;
    if (chooseTypeScriptLoader(fromDirectory, system) === undefined) {
      throw new ImproperConfigurationError(
        `${why} is a TypeScript ES module: loading it needs @swc-node/register. Run ` +
          'npm install --save-dev @swc-node/register @swc/core, or run the command on the compiled JavaScript (after nest build).',
      );
    }
    // The hooks read the tsconfig named here (else the one of the working directory).
    if (project) process.env.SWC_NODE_PROJECT ??= project;
    register('@swc-node/register/esm', pathToFileURL(join(fromDirectory, 'noop.js')));
    esmHooksRegistered = true;
    return;
  }
  if (isRequireHookActive()) return;
  const loader = chooseTypeScriptLoader(fromDirectory, system);
  if (loader === 'ts-node') {
    const tsNode = fromProject('ts-node') as { register(options: Record<string, unknown>): unknown };
    tsNode.register({
      transpileOnly: true,
      project,
      // TypeScript 6 asks for an explicit rootDir when files (e.g. migrations) live outside the project.
      ignoreDiagnostics: [5011, 6059],
    });
  } else if (loader === '@swc-node/register') {
    if (project) process.env.SWC_NODE_PROJECT ??= project;
    fromProject('@swc-node/register');
  } else {
    throw new ImproperConfigurationError(
      `${why} needs a TypeScript loader: run npm install --save-dev ts-node (or @swc-node/register @swc/core), ` +
        'or run the command on the compiled JavaScript (after nest build).',
    );
  }
  if (project && tryResolve(fromProject, 'tsconfig-paths')) {
    const paths = fromProject('tsconfig-paths') as { loadConfig(cwd: string): unknown; register(o: object): void };
    const loaded = paths.loadConfig(dirname(project)) as
      { resultType: 'success'; absoluteBaseUrl: string; paths: Record<string, string[]> } | { resultType: 'failed' };
    if (loaded.resultType === 'success') {
      paths.register({ baseUrl: loaded.absoluteBaseUrl, paths: loaded.paths });
    }
  }
}

/** A loader the command line can register itself, from the project's packages. */
export type TypeScriptLoader = 'ts-node' | '@swc-node/register';

/**
 * The loader `ensureTypeScriptLoader` registers for `.ts` files of `system` (ES modules: only
 * @swc-node/register; CommonJS: ts-node first), or `undefined` when the project has none installed.
 */
export function chooseTypeScriptLoader(fromDirectory: string, system: ModuleSystem): TypeScriptLoader | undefined {
  const fromProject = createRequire(join(fromDirectory, 'noop.js'));
  const swc = tryResolve(fromProject, '@swc-node/register') && tryResolve(fromProject, '@swc/core');
  if (system === 'esm') return swc ? '@swc-node/register' : undefined;
  if (tryResolve(fromProject, 'ts-node')) return 'ts-node';
  return swc ? '@swc-node/register' : undefined;
}

function tryResolve(resolver: NodeJS.Require, id: string): boolean {
  try {
    resolver.resolve(id);
    return true;
  } catch {
    return false;
  }
}

export function findUp(start: string, file: string): string | undefined {
  let directory = start;
  for (;;) {
    const candidate = join(directory, file);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(directory);
    if (parent === directory) return undefined;
    directory = parent;
  }
}
