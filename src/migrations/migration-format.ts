import { isTypeScriptLoaderActive } from './typescript-loader';
import { moduleSystemOfDirectory, type ModuleSystem } from './module-system';
import { isInside, type TypeScriptLayout } from './project-layout';
import type { MigrationLanguage } from './migration-template';

/** The language and module system of a new migration file, and the extension that makes Node load it so. */
export interface MigrationFormat {
  language: MigrationLanguage;
  moduleSystem: ModuleSystem;
  /** `ts`/`js` when the module system is the directory's own, else `mts`/`mjs` or `cts`/`cjs`. */
  extension: string;
}

/** `--ts` / `--js` / `--esm` / `--cjs` of `init` and `make-migrations`. */
export interface MigrationFormatOptions {
  ts?: boolean;
  js?: boolean;
  esm?: boolean;
  cjs?: boolean;
}

/**
 * The format of new migrations in `directory`: the options first; else TypeScript inside the
 * project's TypeScript sources, and elsewhere TypeScript only when the command itself runs on
 * TypeScript; and the module system of the directory (its package.json `type`). The caller
 * refuses contradictory options.
 */
export function chooseMigrationFormat(
  options: MigrationFormatOptions,
  directory: string,
  layout: TypeScriptLayout | undefined,
): MigrationFormat {
  const inSources = layout !== undefined && isInside(layout.rootDir, directory) && !isInside(layout.outDir, directory);
  const language: MigrationLanguage = options.ts
    ? 'ts'
    : options.js
      ? 'js'
      : inSources || isTypeScriptLoaderActive()
        ? 'ts'
        : 'js';
  const scope = moduleSystemOfDirectory(directory);
  const moduleSystem: ModuleSystem = options.esm ? 'esm' : options.cjs ? 'commonjs' : scope;
  const prefix = moduleSystem === scope ? '' : moduleSystem === 'esm' ? 'm' : 'c';
  return { language, moduleSystem, extension: `${prefix}${language}` };
}
