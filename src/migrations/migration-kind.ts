import type { DataSourceOptions } from 'typeorm';
import type { AlchemyConfig } from '../config/alchemy-config';
import { parseConnectionString, type DatabaseKind } from '../config/connection-string';
import { ImproperConfigurationError } from '../errors/improper-configuration.error';

/**
 * The kind of database a bind key connects to. Migrations are SQL of one kind (`datetime` on
 * SQLite, `timestamp` on PostgreSQL, backquotes on MariaDB): each kind keeps its own folder, and a
 * migration file records the kind it was made for.
 */
export function databaseKindOf(config: AlchemyConfig): DatabaseKind | undefined {
  if (config.connectionString !== undefined) return parseConnectionString(config.connectionString, config.bindKey).kind;
  return kindOfDriver(config.dataSource?.options.type);
}

/** TypeORM's driver type as a database kind; `undefined` for drivers the module does not run on. */
export function kindOfDriver(type: DataSourceOptions['type'] | undefined): DatabaseKind | undefined {
  switch (type) {
    case 'better-sqlite3':
      return 'sqlite';
    case 'postgres':
    case 'mysql':
    case 'mariadb':
      return type;
    default:
      return undefined;
  }
}

/** What a migration made for one kind of database and run on another is refused with: both kinds, and the way out. */
export function foreignMigrationError(
  bindKey: string,
  migration: { name: string; file: string; madeFor: string },
  connectedKind: string,
): ImproperConfigurationError {
  return new ImproperConfigurationError(
    `Bind key "${bindKey}": migration ${migration.name} (${migration.file}) was made for ${migration.madeFor}, and ` +
      `this database is ${connectedKind}: its SQL would not run here. Each kind of database needs migrations of ` +
      `its own, in a folder of its own: drop migrationConfig.scriptLocation (the default is ` +
      `migrations/${bindKey}/<kind>) or point it at a folder for ${connectedKind} only, then run ` +
      `\`npx nestjs-advanced-alchemy db make-migrations -m "initial" --bind-key ${bindKey} --app <your app.module>\` ` +
      `with the application connected to ${connectedKind}.`,
  );
}
