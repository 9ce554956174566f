import type { MigrationInterface } from 'typeorm';
import { ImproperConfigurationError } from '../errors/improper-configuration.error';
import { importModuleFile } from './import-module-file';
import { foreignMigrationError } from './migration-kind';
import { listMigrationFiles } from './migration-files';
import type { MigrationSettings } from './migration-settings';

/** A migration class found in a bind key's migrations directory. */
export interface LoadedMigration {
  /** The revision: the class name, ending with a 13-digit JavaScript timestamp (TypeORM's rule). */
  name: string;
  timestamp: number;
  file: string;
  migrationClass: new () => MigrationInterface;
  instance: MigrationInterface;
}

/**
 * Loads every migration file of the bind key's `scriptLocation` (CommonJS or ES modules;
 * TypeScript files get a loader registered first) and returns its migration classes sorted by
 * timestamp. A missing directory means no migrations. Errors name the bind key and the file.
 */
export async function loadMigrations(settings: MigrationSettings): Promise<LoadedMigration[]> {
  const byName = new Map<string, LoadedMigration>();
  for (const file of listMigrationFiles(settings.scriptLocation)) {
    for (const migration of await migrationsOfFile(file, settings.bindKey)) {
      const madeFor = (migration.instance as { databaseKind?: unknown }).databaseKind;
      if (settings.databaseKind && typeof madeFor === 'string' && madeFor !== '' && madeFor !== settings.databaseKind) {
        throw foreignMigrationError(settings.bindKey, { name: migration.name, file, madeFor }, settings.databaseKind);
      }
      const previous = byName.get(migration.name);
      if (previous) {
        throw new ImproperConfigurationError(
          `Bind key "${settings.bindKey}": migration ${migration.name} is defined twice, in ${previous.file} and ${file}.`,
        );
      }
      byName.set(migration.name, migration);
    }
  }
  return [...byName.values()].sort((a, b) => a.timestamp - b.timestamp || a.name.localeCompare(b.name));
}

async function migrationsOfFile(file: string, bindKey: string): Promise<LoadedMigration[]> {
  let exported: Record<string, unknown>;
  try {
    // A fresh copy: the same process may load a directory again after writing to it.
    exported = await importModuleFile(file, `Bind key "${bindKey}": ${file}`, true);
  } catch (error) {
    if (error instanceof ImproperConfigurationError) throw error;
    throw new ImproperConfigurationError(
      `Bind key "${bindKey}": cannot load migration file ${file}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  const found: LoadedMigration[] = [];
  for (const candidate of new Set(Object.values(exported ?? {}))) {
    if (typeof candidate !== 'function') continue;
    const prototype = (candidate as { prototype?: Partial<MigrationInterface> }).prototype;
    if (typeof prototype?.up !== 'function' || typeof prototype.down !== 'function') continue;
    const migrationClass = candidate as new () => MigrationInterface;
    const instance = new migrationClass();
    const name = instance.name ?? migrationClass.name;
    const timestamp = Number.parseInt(name.slice(-13), 10);
    if (!/\d{13}$/.test(name) || Number.isNaN(timestamp)) {
      throw new ImproperConfigurationError(
        `Bind key "${bindKey}": migration ${name} in ${file} must end with a 13-digit JavaScript timestamp ` +
          `(e.g. ${name}${Date.now()}).`,
      );
    }
    found.push({ name, timestamp, file, migrationClass, instance });
  }
  return found;
}
