import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const MIGRATION_FILE = /^(?!.*\.d\.[cm]?ts$).+\.[cm]?[tj]s$/;

/** The files of a migrations directory that hold migrations (`.ts`, `.js` and their `.m*`/`.c*` forms; not `.d.ts`), sorted. */
export function listMigrationFiles(directory: string): string[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory)
    .filter((name) => MIGRATION_FILE.test(name))
    .sort()
    .map((name) => join(directory, name));
}
