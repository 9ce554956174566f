import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { RootModule } from '../migrations/boot-for-migrations';
import { importModuleFile } from '../migrations/import-module-file';
import { CliError, EXIT } from './cli-error';

/**
 * Loads the file of the application's root module (`--app`; compiled `.js`, or `.ts` with a
 * TypeScript loader registered first; CommonJS or ES module) and picks its export: `--module NAME`, else `AppModule`, else the
 * only exported class decorated with `@Module`.
 */
export async function loadRootModule(appPath: string | undefined, exportName: string | undefined): Promise<RootModule> {
  if (!appPath) {
    throw new CliError(
      'Which application? Pass --app <file of the root module>, e.g. --app dist/app.module.js.',
      EXIT.usage,
    );
  }
  const file = resolve(appPath);
  if (!existsSync(file)) throw new CliError(`--app ${appPath}: no such file (${file}).`, EXIT.usage);
  const exported = await importModuleFile(file, `--app ${appPath}`);
  if (exportName !== undefined) {
    if (exported[exportName] !== undefined) return exported[exportName] as RootModule;
    throw new CliError(
      `${appPath} has no export named ${exportName} (it exports: ${listExports(exported)}).`,
      EXIT.usage,
    );
  }
  if (typeof exported.AppModule === 'function') return exported.AppModule as RootModule;
  const modules = [...new Set(Object.values(exported))].filter(isNestModule);
  if (modules.length === 1) return modules[0] as RootModule;
  throw new CliError(
    `${appPath} does not export AppModule${modules.length > 1 ? ' and exports several modules' : ''}: ` +
      `pass --module <export name> (it exports: ${listExports(exported)}).`,
    EXIT.usage,
  );
}

function isNestModule(value: unknown): boolean {
  if (typeof value !== 'function') return false;
  const reflect = Reflect as unknown as { getMetadataKeys?: (target: unknown) => unknown[] };
  return (reflect.getMetadataKeys?.(value) ?? []).some((key) =>
    ['imports', 'providers', 'controllers'].includes(String(key)),
  );
}

function listExports(exported: Record<string, unknown>): string {
  const names = Object.keys(exported).filter((name) => name !== '__esModule');
  return names.length ? names.join(', ') : 'nothing';
}
