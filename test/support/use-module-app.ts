import type { INestApplication, LoggerService, Type } from '@nestjs/common';
import { bootTestApp, createTestDatabase, openProbe } from 'nestjs-advanced-alchemy/testing';
import type { DatabaseProbe, TestDatabase, TestDatabaseKind } from 'nestjs-advanced-alchemy/testing';

/** An application of a root module built by the test (e.g. a user's app on TypeOrmModule), on a test database. */
export interface ModuleApp {
  database: TestDatabase;
  app: INestApplication;
  url: string;
  /** A connection of its own on the database. */
  probe: DatabaseProbe;
}

export interface ModuleAppOptions {
  logger?: LoggerService | false;
  /** Runs after the app, the probe and the database are closed (e.g. to clear a registry of a peer library). */
  afterClose?(): void;
}

/**
 * For suites whose root module is not the kit's (startTestApp builds its own): a database of `kind`,
 * the module `rootModule(database)` booted on it and a probe, made in a `beforeAll` and closed and
 * dropped in the `afterAll`. Returns the running app.
 */
export function useModuleApp(
  kind: TestDatabaseKind,
  label: string,
  rootModule: (database: TestDatabase) => Type,
  options: ModuleAppOptions = {},
): () => ModuleApp {
  let database: TestDatabase | undefined;
  let booted: { app: INestApplication; url: string; close(): Promise<void> } | undefined;
  let probe: DatabaseProbe | undefined;
  beforeAll(async () => {
    database = await createTestDatabase(kind, label);
    booted = await bootTestApp(rootModule(database), { logger: options.logger ?? false });
    probe = await openProbe(database.connectionString);
  });
  afterAll(async () => {
    await probe?.close();
    await booted?.close();
    options.afterClose?.();
    await database?.drop();
  });
  return () => {
    if (!database || !booted || !probe) throw new Error(`useModuleApp(${label}): the application is not running`);
    return { database, app: booted.app, url: booted.url, probe };
  };
}
