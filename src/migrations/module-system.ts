import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** How Node loads a file: as an ES module (`import`) or as CommonJS (`require`). */
export type ModuleSystem = 'esm' | 'commonjs';

const ESM_EXTENSION = /\.m[jt]s$/;
const COMMONJS_EXTENSION = /\.c[jt]s$/;

/**
 * The module system Node gives `file`: `.mjs`/`.mts` are ES modules, `.cjs`/`.cts` CommonJS,
 * and `.js`/`.ts` follow the `type` of the nearest package.json (CommonJS without one).
 */
export function moduleSystemOf(file: string): ModuleSystem {
  if (ESM_EXTENSION.test(file)) return 'esm';
  if (COMMONJS_EXTENSION.test(file)) return 'commonjs';
  return moduleSystemOfDirectory(dirname(file));
}

/** The module system of a `.js`/`.ts` file placed in `directory` (which need not exist yet). */
export function moduleSystemOfDirectory(directory: string): ModuleSystem {
  for (let current = directory; ; current = dirname(current)) {
    const manifest = join(current, 'package.json');
    if (existsSync(manifest)) return readType(manifest) === 'module' ? 'esm' : 'commonjs';
    if (dirname(current) === current) return 'commonjs';
  }
}

function readType(manifest: string): unknown {
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: unknown }).type;
  } catch {
    // Node refuses a broken package.json itself, with a better message than ours.
    return undefined;
  }
}
