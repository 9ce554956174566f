import { basename } from 'node:path';
import type { DataSource } from 'typeorm';
import type { AlchemyConfig } from '../config/alchemy-config';
import { BindMigrationExecutor } from './bind-migration-executor';
import { listMigrationFiles } from './migration-files';
import { resolveMigrationSettings } from './migration-settings';

/** What the database lacks for the application: migrations not applied, tables the entities map that do not exist. */
export interface SchemaStatus {
  /** Migration files of the bind key's folder not recorded in its version table (by their `<timestamp>-` prefix). */
  pendingMigrations: string[];
  /** Tables of the bind key's entities that the database does not have. */
  missingTables: string[];
}

const TIMESTAMP_PREFIX = /^(\d{13})-/;

/**
 * Reads the schema's state without loading any migration file: pending migrations are the files
 * whose timestamp prefix no applied revision ends with (a revision's name ends with its timestamp).
 */
export async function readSchemaStatus(config: AlchemyConfig, dataSource: DataSource): Promise<SchemaStatus> {
  // Without loading TypeScript: this runs at every application start and health check.
  const settings = resolveMigrationSettings(config, process.cwd(), false);
  const files = listMigrationFiles(settings.scriptLocation).filter((file) => TIMESTAMP_PREFIX.test(basename(file)));
  const runner = dataSource.createQueryRunner();
  try {
    let pendingMigrations: string[] = [];
    if (files.length > 0) {
      const applied = await new BindMigrationExecutor(dataSource, settings, []).applied(runner);
      const done = new Set(applied.map((revision) => revision.name.slice(-13)));
      pendingMigrations = files
        .map((file) => basename(file))
        .filter((name) => !done.has((TIMESTAMP_PREFIX.exec(name) as RegExpExecArray)[1]));
    }
    const wanted = dataSource.entityMetadatas.filter(
      (metadata) => metadata.synchronize && metadata.tableType !== 'entity-child' && metadata.tableType !== 'view',
    );
    const paths = wanted.map((metadata) => metadata.tablePath);
    const existing = new Set((await runner.getTables(paths)).map((table) => table.name));
    const missingTables = paths.filter((path) => !existing.has(path));
    return { pendingMigrations, missingTables };
  } finally {
    await runner.release();
  }
}

/** One line naming what is missing and the command that fixes it; `undefined` when nothing is. */
export function describeSchemaStatus(bindKey: string, status: SchemaStatus): string | undefined {
  const { pendingMigrations: pending, missingTables: missing } = status;
  if (pending.length === 0 && missing.length === 0) return undefined;
  const keyFlag = bindKey === 'default' ? '' : ` --bind-key ${bindKey}`;
  const parts: string[] = [];
  if (pending.length > 0) parts.push(`${pending.length} migration(s) not applied (${pending.join(', ')})`);
  if (missing.length > 0) parts.push(`table(s) missing for its entities (${missing.join(', ')})`);
  const fix =
    pending.length > 0
      ? `run \`npx nestjs-advanced-alchemy db upgrade${keyFlag} --app <your app.module>\` ` +
        '(or set migrationConfig.runOnStartup: true)'
      : `make a migration with \`npx nestjs-advanced-alchemy db make-migrations${keyFlag} -m "add tables" --app ` +
        '<your app.module>` and apply it with `db upgrade` (or set createAll: true while you prototype)';
  return `Bind key "${bindKey}": the database is behind the application: ${parts.join('; ')}. Requests that use them will fail: ${fix}.`;
}
