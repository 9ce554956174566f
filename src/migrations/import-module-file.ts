import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { loadEsm } from 'load-esm';
import { moduleSystemOf } from './module-system';
import { ensureTypeScriptLoader } from './typescript-loader';

const TYPESCRIPT_FILE = /\.[cm]?ts$/;

/**
 * Loads a file of the user's application (its root module, a migration) the way Node would run
 * it: CommonJS through `require`, ES modules through a real `import()` (load-esm keeps it one in
 * this CommonJS build). TypeScript files get a loader registered first (`why` names the file in
 * the error when none is installed). `fresh` re-reads a CommonJS file that is already loaded.
 */
export async function importModuleFile(file: string, why: string, fresh = false): Promise<Record<string, unknown>> {
  const system = moduleSystemOf(file);
  if (TYPESCRIPT_FILE.test(file)) ensureTypeScriptLoader(process.cwd(), why, system);
  if (system === 'commonjs') {
    const load = createRequire(__filename);
    if (fresh) delete load.cache[load.resolve(file)];
    return load(file) as Record<string, unknown>;
  }
  return loadEsm<Record<string, unknown>>(pathToFileURL(file).href);
}
