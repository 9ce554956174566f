import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createTestDatabase,
  openProbe,
  type DatabaseProbe,
  type TestDatabase,
  type TestDatabaseKind,
} from 'nestjs-advanced-alchemy/testing';
import { FIXTURE_ENV } from '../fixtures/fixture-env';
import { FIXTURES, runBinFromSource, type CommandResult } from './run-command';

/**
 * A database of its own plus a temporary directory for migration files and fixtures: what each
 * suite runs the command line against. `env` is what the fixture applications read.
 */
export interface MigrationWorkspace {
  database: TestDatabase;
  directory: string;
  migrationsDirectory(bindKey?: string): string;
  /** Migration files (not templates) written so far for a bind key. */
  migrationFiles(bindKey?: string): string[];
  env: NodeJS.ProcessEnv;
  /** `database <args> --app test/migrations/fixtures/<app>.module.ts` through the bin, on TypeScript sources. */
  run(app: string, ...args: string[]): Promise<CommandResult>;
  /** `run` with some variables changed, e.g. another database for the same migration files. */
  runWith(env: NodeJS.ProcessEnv, app: string, ...args: string[]): Promise<CommandResult>;
  probe(): Promise<DatabaseProbe>;
  dispose(): Promise<void>;
}

export async function createWorkspace(
  kind: TestDatabaseKind,
  label: string,
  extraEnv: NodeJS.ProcessEnv = {},
): Promise<MigrationWorkspace> {
  const database = await createTestDatabase(kind, label);
  const directory = mkdtempSync(join(tmpdir(), 'alchemy-migrations-'));
  const env = {
    [FIXTURE_ENV.databaseUrl]: database.connectionString,
    [FIXTURE_ENV.migrationsDir]: join(directory, 'migrations'),
    ...extraEnv,
  };
  const probes: DatabaseProbe[] = [];
  const migrationsDirectory = (bindKey = 'default') => join(directory, 'migrations', bindKey);
  return {
    database,
    directory,
    env,
    migrationsDirectory,
    migrationFiles: (bindKey = 'default') => {
      try {
        return readdirSync(migrationsDirectory(bindKey)).filter((name) => /\.(ts|js)$/.test(name));
      } catch {
        return [];
      }
    },
    run: (app, ...args) => runApp(env, app, args),
    runWith: (changed, app, ...args) => runApp({ ...env, ...changed }, app, args),
    probe: async () => {
      const probe = await openProbe(database.connectionString);
      probes.push(probe);
      return probe;
    },
    dispose: async () => {
      await Promise.all(probes.map((probe) => probe.close().catch(() => undefined)));
      await database.drop();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

function runApp(env: NodeJS.ProcessEnv, app: string, args: string[]): Promise<CommandResult> {
  return runBinFromSource(['database', ...args, '--app', join(FIXTURES, `${app}.module.ts`)], env);
}
