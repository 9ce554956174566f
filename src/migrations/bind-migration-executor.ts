import { Migration, MigrationExecutor, type DataSource, type QueryRunner } from 'typeorm';
import type { LoadedMigration } from './migration-loader';
import type { MigrationSettings } from './migration-settings';
import type { AppliedRevision } from './revision';

/**
 * TypeORM's MigrationExecutor, bound to one bind key: its migrations are the classes loaded from
 * the bind key's `scriptLocation` (not `dataSource.migrations`), and its version table is the one
 * `migrationConfig` names (`versionTableName`, `versionTableSchema`). It keeps TypeORM's table
 * layout (id, timestamp, name), so the TypeORM CLI reads the same history.
 */
export class BindMigrationExecutor extends MigrationExecutor {
  readonly versionTable: string;
  readonly #migrations: readonly LoadedMigration[];
  readonly #schema?: string;

  constructor(
    dataSource: DataSource,
    readonly settings: MigrationSettings,
    migrations: readonly LoadedMigration[],
  ) {
    super(dataSource);
    this.#migrations = migrations;
    const driver = dataSource.driver;
    const mysqlFamily = driver.options.type === 'mysql' || driver.options.type === 'mariadb';
    // On MySQL/MariaDB a "schema" is a database; SQLite has neither.
    const schema = mysqlFamily
      ? undefined
      : (settings.versionTableSchema ?? (driver.options as { schema?: string }).schema);
    // Left unqualified unless configured, so recorded SQL (`--sql`) runs on any database of the kind.
    const database = mysqlFamily ? settings.versionTableSchema : undefined;
    this.#schema = driver.options.type === 'postgres' ? settings.versionTableSchema : undefined;
    this.versionTable = driver.buildTableName(settings.versionTableName, schema, database);
    // The parent computed these from dataSource.options; the bind key's settings win.
    Object.assign(this, {
      migrationsTableName: settings.versionTableName,
      migrationsSchema: schema,
      migrationsDatabase: database,
      migrationsTable: this.versionTable,
    });
  }

  /** The loaded migrations, by timestamp. */
  get loaded(): readonly LoadedMigration[] {
    return this.#migrations;
  }

  /** A loaded migration by revision name. */
  find(name: string): LoadedMigration | undefined {
    return this.#migrations.find((migration) => migration.name === name);
  }

  /** The migrations recorded in the version table (none when the table does not exist yet). */
  async applied(runner: QueryRunner): Promise<AppliedRevision[]> {
    if (!(await runner.hasTable(this.versionTable))) return [];
    const executed = await this.loadExecutedMigrations(runner);
    return executed.map((migration) => ({ id: migration.id ?? 0, name: migration.name }));
  }

  /** Creates the version table (and its PostgreSQL schema, and TypeORM's metadata table when needed). */
  async prepare(runner: QueryRunner): Promise<void> {
    if (this.#schema) await runner.createSchema(this.#schema, true);
    await this.createMigrationsTableIfNotExist(runner);
    const builder = this.dataSource.driver.createSchemaBuilder() as {
      createMetadataTableIfNecessary?: (queryRunner: QueryRunner) => Promise<void>;
    };
    await builder.createMetadataTableIfNecessary?.(runner);
  }

  /** Records a revision as applied. */
  record(runner: QueryRunner, name: string): Promise<void> {
    return this.insertExecutedMigration(runner, this.toMigration(name));
  }

  /** Removes a revision from the version table. */
  forget(runner: QueryRunner, name: string): Promise<void> {
    return this.deleteExecutedMigration(runner, this.toMigration(name));
  }

  protected override getMigrations(): Migration[] {
    return this.#migrations.map(
      (migration) => new Migration(undefined, migration.timestamp, migration.name, migration.instance),
    );
  }

  private toMigration(name: string): Migration {
    const loaded = this.find(name);
    return new Migration(undefined, loaded?.timestamp ?? Number.parseInt(name.slice(-13), 10), name, loaded?.instance);
  }
}
