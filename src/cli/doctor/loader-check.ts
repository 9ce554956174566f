import { resolve } from 'node:path';
import { moduleSystemOf } from '../../migrations/module-system';
import { chooseTypeScriptLoader, isTypeScriptLoaderActive } from '../../migrations/typescript-loader';
import type { Finding } from './finding';

const TYPESCRIPT_FILE = /\.[cm]?ts$/;

/**
 * How the command line will load the application's root module (`--app`): its module system, and
 * for TypeScript the loader it registers (the same choice as `ensureTypeScriptLoader`).
 * `undefined` app: an application's own `cli.ts` (`runDatabaseCli`), already loaded by whatever started it.
 */
export function checkLoader(appPath: string | undefined, projectDirectory: string): Finding {
  const subject = 'module system';
  if (appPath === undefined) {
    const how = isTypeScriptLoaderActive() ? 'TypeScript, through the loader node was started with' : 'JavaScript';
    return { level: 'ok', subject, detail: `the application's own command line, running on ${how}` };
  }
  const file = resolve(appPath);
  const system = moduleSystemOf(file);
  const named = system === 'esm' ? 'ES module' : 'CommonJS';
  if (!TYPESCRIPT_FILE.test(file)) {
    return { level: 'ok', subject, detail: `${named}; ${appPath} is JavaScript: no TypeScript loader needed` };
  }
  if (isTypeScriptLoaderActive()) {
    return { level: 'ok', subject, detail: `${named}; TypeScript through the loader node was started with` };
  }
  const loader = chooseTypeScriptLoader(projectDirectory, system);
  if (loader) {
    const how = system === 'esm' ? 'its ES module hooks' : 'its require hook';
    return { level: 'ok', subject, detail: `${named}; TypeScript loader: ${loader} (${how})` };
  }
  return {
    level: 'fail',
    subject,
    detail:
      system === 'esm'
        ? `${named} in TypeScript (${appPath}), and @swc-node/register with @swc/core is not installed: the command line cannot load it`
        : `CommonJS in TypeScript (${appPath}), and neither ts-node nor @swc-node/register is installed: the command line cannot load it`,
    fix:
      system === 'esm'
        ? 'npm install --save-dev @swc-node/register @swc/core (or pass --app dist/app.module.js after nest build)'
        : 'npm install --save-dev ts-node (or pass --app dist/app.module.js after nest build)',
  };
}
