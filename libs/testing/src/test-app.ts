import { Module, type INestApplication, type LoggerService, type ModuleMetadata, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Server } from 'node:http';
import type { DataSource } from 'typeorm';
import {
  AdvancedAlchemy,
  AdvancedAlchemyModule,
  type AdvancedAlchemyModuleOptions,
  type AlchemyConfigOptions,
} from 'nestjs-advanced-alchemy';
import type { TestDatabaseKind } from './database-targets';
import { httpClient, type TestHttpClient } from './http-client';
import { openProbe, type DatabaseProbe } from './probe';
import { createTestDatabase, type TestDatabase } from './test-database';

/** The HTTP adapter the application runs on: Nest's default (Express) or Fastify. */
export type TestHttpAdapter = 'express' | 'fastify';

export interface BootTestAppOptions {
  /** Default: Express. Fastify needs `@nestjs/platform-fastify` installed. */
  http?: TestHttpAdapter;
  /** Nest's logger; off by default (tests provoke errors on purpose and assert on responses). */
  logger?: LoggerService | false;
  /** Runs before the application listens: global pipes, filters, `enableShutdownHooks`, microservices… */
  configure?(app: INestApplication): void | Promise<void>;
}

/** An application listening on a free port of 127.0.0.1, with a client for it. */
export interface BootedTestApp {
  app: INestApplication;
  /** `http://127.0.0.1:<port>`. */
  url: string;
  http: TestHttpClient;
  /** Closes the application; requests still open are cut, so a test that failed midway cannot hang it. */
  close(): Promise<void>;
}

/**
 * Boots `rootModule` as an HTTP application (Express or Fastify) listening on 127.0.0.1 with a
 * free port. A failing start rejects (it never ends the process).
 */
export async function bootTestApp(rootModule: Type, options: BootTestAppOptions = {}): Promise<BootedTestApp> {
  const settings = { logger: options.logger ?? false, abortOnError: false } as const;
  let app: INestApplication;
  if (options.http === 'fastify') {
    // Loaded only when asked for: Fastify is not a dependency of the kit.
    const { FastifyAdapter } = await import('@nestjs/platform-fastify');
    app = await NestFactory.create(rootModule, new FastifyAdapter(), settings);
  } else {
    app = await NestFactory.create(rootModule, settings);
  }
  try {
    await options.configure?.(app);
    await app.listen(0, '127.0.0.1');
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  const server = app.getHttpServer() as Server;
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('bootTestApp: the application has no address');
  const url = `http://127.0.0.1:${address.port}`;
  return {
    app,
    url,
    http: httpClient(url),
    async close() {
      const closing = app.close();
      server.closeAllConnections?.();
      await closing;
    },
  };
}

/** The configuration of one bind key, without what the kit fills in (its name and database). */
export type TestBindConfig = Omit<AlchemyConfigOptions, 'bindKey' | 'connectionString' | 'dataSource'> & {
  /**
   * Another URL of the bind key's test database (e.g. the same one with credentials added); default:
   * the database's own `connectionString`. The probe always uses the database's own.
   */
  connectionString?: string;
};

export interface StartTestAppOptions extends BootTestAppOptions, Pick<ModuleMetadata, 'controllers' | 'providers'> {
  /** The database every bind key gets one of (created here, dropped by `close()`). */
  kind: TestDatabaseKind;
  /** The bind keys, each on a database of its own; default `['default']`. The first one is probed. */
  bindKeys?: string[];
  /** The kind of database of bind keys that are not on `kind` (e.g. `{ audit: 'sqlite' }`). */
  bindKeyKinds?: Record<string, TestDatabaseKind>;
  /** Entities of every bind key (tables made by `createAll`, which is on unless `config` turns it off). */
  entities?: AlchemyConfigOptions['entities'];
  /**
   * Each bind key's configuration (the same for all, or per bind key). Defaults: `createAll: true`,
   * `commitMode: 'autocommit'`.
   */
  config?: TestBindConfig | ((bindKey: string, database: TestDatabase) => TestBindConfig);
  /** Options of `AdvancedAlchemyModule.forRoot` (e.g. `twoPhase`). */
  moduleOptions?: AdvancedAlchemyModuleOptions;
  /** Other modules of the application. */
  imports?: ModuleMetadata['imports'];
  /** Names the databases (`alchemy_<label>_<random>`); default `app`. */
  label?: string;
}

/** A running application on test databases of its own, with a probe on each and a client. */
export interface TestApp extends BootedTestApp {
  /** The first bind key's database, and each bind key's. */
  database: TestDatabase;
  databases: Record<string, TestDatabase>;
  /** A connection of its own on the first bind key's database: what it reads was really committed. */
  probe: DatabaseProbe;
  probes: Record<string, DatabaseProbe>;
  alchemy: AdvancedAlchemy;
  dataSource(bindKey?: string): DataSource;
  /** Closes the application, the probes, and drops the databases (call it in `afterAll`). */
  close(): Promise<void>;
}

/**
 * Creates a database per bind key, boots an application on them (the module's configuration, the
 * given controllers and providers) on Express or Fastify, opens a probe on each database, and hands
 * back all of it. `close()` undoes all of it, also after a start that failed halfway.
 */
export async function startTestApp(options: StartTestAppOptions): Promise<TestApp> {
  const bindKeys = options.bindKeys ?? ['default'];
  if (bindKeys.length === 0) throw new Error('startTestApp: bindKeys is empty; leave it out for one default bind key.');
  for (const bindKey of Object.keys(options.bindKeyKinds ?? {})) {
    if (!bindKeys.includes(bindKey)) {
      throw new Error(
        `startTestApp: bindKeyKinds names "${bindKey}", which is not one of bindKeys (${bindKeys.join(', ')}); add it to bindKeys or remove it.`,
      );
    }
  }
  const databases: Record<string, TestDatabase> = {};
  const probes: Record<string, DatabaseProbe> = {};
  let booted: BootedTestApp | undefined;
  const teardown = async (): Promise<void> => {
    const failures: unknown[] = [];
    const attempt = async (step: () => Promise<void>) => step().catch((error: unknown) => void failures.push(error));
    for (const probe of Object.values(probes)) await attempt(() => probe.close());
    if (booted) await attempt(booted.close);
    for (const database of Object.values(databases)) await attempt(database.drop);
    if (failures.length > 0) throw new AggregateError(failures, 'startTestApp: closing failed');
  };
  try {
    const label = options.label ?? 'app';
    for (const bindKey of bindKeys) {
      databases[bindKey] = await createTestDatabase(
        options.bindKeyKinds?.[bindKey] ?? options.kind,
        bindKeys.length > 1 ? `${label}_${bindKey}` : label,
      );
    }
    const configs: AlchemyConfigOptions[] = bindKeys.map((bindKey) => {
      const own = typeof options.config === 'function' ? options.config(bindKey, databases[bindKey]) : options.config;
      return {
        createAll: true,
        commitMode: 'autocommit',
        entities: options.entities,
        ...own,
        bindKey,
        connectionString: own?.connectionString ?? databases[bindKey].connectionString,
      };
    });
    @Module({
      imports: [AdvancedAlchemyModule.forRoot(configs, options.moduleOptions), ...(options.imports ?? [])],
      controllers: options.controllers ?? [],
      providers: options.providers ?? [],
    })
    class TestAppModule {}
    booted = await bootTestApp(TestAppModule, options);
    for (const bindKey of bindKeys) probes[bindKey] = await openProbe(databases[bindKey].connectionString);
  } catch (error) {
    await teardown().catch(() => undefined);
    throw error;
  }
  const alchemy = booted.app.get(AdvancedAlchemy);
  return {
    ...booted,
    database: databases[bindKeys[0]],
    databases,
    probe: probes[bindKeys[0]],
    probes,
    alchemy,
    dataSource: (bindKey = bindKeys[0]) => alchemy.getDataSource(bindKey),
    close: teardown,
  };
}
