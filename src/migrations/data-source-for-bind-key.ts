import { DataSource, type DataSourceOptions } from 'typeorm';
import { ImproperConfigurationError } from '../errors/improper-configuration.error';
import { bootForMigrations, type RootModule } from './boot-for-migrations';
import { loadMigrations } from './migration-loader';
import { resolveMigrationSettings } from './migration-settings';

/**
 * For teams that keep the TypeORM CLI: boots the application from its root module and returns a
 * new, not yet initialised DataSource for a bind key (default: the first configured), built from
 * the same options as the application's, with the bind key's migrations (`scriptLocation`) and
 * version table (`versionTableName`). A two-line `data-source.ts` then serves
 * `typeorm migration:run -d dist/…/data-source.js`:
 *
 *     import { createDataSourceForBindKey } from 'nestjs-advanced-alchemy';
 *     export default createDataSourceForBindKey(AppModule, 'default');
 *
 * The TypeORM CLI keeps the version table in the connection's schema: `versionTableSchema` is
 * honoured by this library's `database` command only.
 */
export async function createDataSourceForBindKey(rootModule: RootModule, bindKey?: string): Promise<DataSource> {
  const { app, alchemy } = await bootForMigrations(rootModule);
  try {
    const config = bindKey === undefined ? alchemy.config[0] : alchemy.config.find((c) => c.bindKey === bindKey);
    if (!config) {
      throw new ImproperConfigurationError(
        `No config found for bind key: ${bindKey}. Configured bind keys: ${alchemy.bindKeys.join(', ')}.`,
      );
    }
    const settings = resolveMigrationSettings(config);
    const running = alchemy.getDataSource(config.bindKey);
    const options = {
      ...running.options,
      migrations: (await loadMigrations(settings)).map((migration) => migration.migrationClass),
      migrationsTableName: settings.versionTableName,
      migrationsRun: false,
      synchronize: false,
    } as DataSourceOptions;
    return new DataSource(options);
  } finally {
    await app.close();
  }
}
