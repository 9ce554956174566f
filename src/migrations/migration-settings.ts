import { join, resolve } from 'node:path';
import type { AlchemyConfig } from '../config/alchemy-config';
import type { DatabaseKind } from '../config/connection-string';
import { databaseKindOf } from './migration-kind';
import { listMigrationFiles } from './migration-files';
import { buildCounterpart, readTypeScriptLayout, sourceCounterpart, type TypeScriptLayout } from './project-layout';
import { isTypeScriptLoaderActive } from './typescript-loader';

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
  /** The kind of database the bind key connects to: migrations made for another are refused. */
  databaseKind?: DatabaseKind;
}

/**
 * Reads `config.migrationConfig`; relative paths are taken from `cwd` (the directory the command
 * runs in). Without `scriptLocation`, a TypeScript project (tsconfig.json in `cwd`) keeps its
 * migrations in `<sourceRoot>/migrations/<bindKey>/<kind>` (`sqlite`, `postgres`, `mysql`, `mariadb`:
 * the kind of database the bind key connects to) — read there on the TypeScript sources, and from
 * where `nest build` compiles them otherwise — and any other project in `migrations/<bindKey>/<kind>`.
 */
export function resolveMigrationSettings(
  config: AlchemyConfig,
  cwd: string = process.cwd(),
  /** `false`: read the tsconfig without loading TypeScript (see `readTypeScriptLayout`). */
  compiler = true,
): MigrationSettings {
  const migration = config.migrationConfig;
  const databaseKind = databaseKindOf(config);
  return {
    bindKey: config.bindKey,
    databaseKind,
    scriptLocation:
      migration.scriptLocation === undefined
        ? defaultScriptLocation(config.bindKey, databaseKind, cwd, compiler)
        : resolve(cwd, migration.scriptLocation),
    versionTableName: migration.versionTableName ?? 'migrations',
    versionTableSchema: migration.versionTableSchema,
    templatePath: migration.templatePath === undefined ? undefined : resolve(cwd, migration.templatePath),
  };
}

/**
 * Where new migration files of the bind key go: its `scriptLocation`, except that a location
 * inside the build output (`dist/migrations/…`, which the next `nest build` deletes) is replaced
 * by the source directory compiled into it.
 */
export function migrationWriteTarget(
  settings: MigrationSettings,
  cwd: string = process.cwd(),
): { directory: string; layout: TypeScriptLayout | undefined } {
  const layout = readTypeScriptLayout(cwd);
  return { directory: layout ? sourceCounterpart(layout, settings.scriptLocation) : settings.scriptLocation, layout };
}

function defaultScriptLocation(
  bindKey: string,
  kind: DatabaseKind | undefined,
  cwd: string,
  compiler: boolean,
): string {
  const layout = readTypeScriptLayout(cwd, compiler);
  const sources = layout ? join(layout.sourceRoot, 'migrations', bindKey) : resolve(cwd, 'migrations', bindKey);
  const bindKeyFolder = layout && !isTypeScriptLoaderActive() ? buildCounterpart(layout, sources) : sources;
  if (kind === undefined) return bindKeyFolder;
  // A project made before the per-kind folders keeps its migrations in the bind key's folder itself.
  const kindFolder = join(bindKeyFolder, kind);
  const earlierLayout = listMigrationFiles(bindKeyFolder).length > 0 && listMigrationFiles(kindFolder).length === 0;
  return earlierLayout ? bindKeyFolder : kindFolder;
}
