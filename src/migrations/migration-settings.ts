import { resolve } from 'node:path';
import type { AlchemyConfig } from '../config/alchemy-config';

/** A bind key's migration settings with every path made absolute: what the migration tools work from. */
export interface MigrationSettings {
  bindKey: string;
  /** Absolute directory of the bind key's migration files. */
  scriptLocation: string;
  /** Table recording applied migrations (TypeORM's `migrationsTableName`). */
  versionTableName: string;
  /** PostgreSQL schema of that table (the database on MariaDB/MySQL); the connection's own when unset. */
  versionTableSchema?: string;
  /** Absolute path of the template for new migration files, when the config names one. */
  templatePath?: string;
}

/** Reads `config.migrationConfig`; relative paths are taken from `cwd` (the directory the command runs in). */
export function resolveMigrationSettings(config: AlchemyConfig, cwd: string = process.cwd()): MigrationSettings {
  const migration = config.migrationConfig;
  return {
    bindKey: config.bindKey,
    scriptLocation: resolve(cwd, migration.scriptLocation ?? `migrations/${config.bindKey}`),
    versionTableName: migration.versionTableName ?? 'migrations',
    versionTableSchema: migration.versionTableSchema,
    templatePath: migration.templatePath === undefined ? undefined : resolve(cwd, migration.templatePath),
  };
}
