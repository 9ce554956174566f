import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ImproperConfigurationError } from '../errors/improper-configuration.error';

/** True when `require()` can load `.ts` files in this process (ts-node, @swc-node, … registered). */
export function isTypeScriptLoaderActive(): boolean {
  // `require.extensions` is deprecated for adding loaders, but it is where they register.
  return typeof require.extensions['.ts'] === 'function';
}

/**
 * Makes `.ts` files loadable: registers ts-node (transpile only: the command must not fail on a
 * type error) and tsconfig-paths when they resolve from `fromDirectory` (the user's project).
 * `why` starts the error when ts-node is missing.
 */
export function ensureTypeScriptLoader(fromDirectory: string, why: string): void {
  if (isTypeScriptLoaderActive()) return;
  const fromProject = createRequire(join(fromDirectory, 'noop.js'));
  const tsNode = tryRequire(fromProject, 'ts-node') as
    { register(options: Record<string, unknown>): unknown } | undefined;
  if (!tsNode) {
    throw new ImproperConfigurationError(
      `${why} needs ts-node to load TypeScript: run npm install --save-dev ts-node, ` +
        'or run the command on the compiled JavaScript (after nest build).',
    );
  }
  const project = findUp(fromDirectory, 'tsconfig.json');
  tsNode.register({
    transpileOnly: true,
    project,
    // TypeScript 6 asks for an explicit rootDir when files (e.g. migrations) live outside the project.
    ignoreDiagnostics: [5011, 6059],
  });
  if (project && tryResolve(fromProject, 'tsconfig-paths')) {
    const paths = fromProject('tsconfig-paths') as { loadConfig(cwd: string): unknown; register(o: object): void };
    const loaded = paths.loadConfig(dirname(project)) as
      { resultType: 'success'; absoluteBaseUrl: string; paths: Record<string, string[]> } | { resultType: 'failed' };
    if (loaded.resultType === 'success') {
      paths.register({ baseUrl: loaded.absoluteBaseUrl, paths: loaded.paths });
    }
  }
}

function tryResolve(resolver: NodeJS.Require, id: string): boolean {
  try {
    resolver.resolve(id);
    return true;
  } catch {
    return false;
  }
}

function tryRequire(resolver: NodeJS.Require, id: string): unknown {
  return tryResolve(resolver, id) ? resolver(id) : undefined;
}

function findUp(start: string, file: string): string | undefined {
  let directory = start;
  for (;;) {
    const candidate = join(directory, file);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(directory);
    if (parent === directory) return undefined;
    directory = parent;
  }
}
