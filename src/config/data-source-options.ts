import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import { ImproperConfigurationError } from '../errors/improper-configuration.error';
import { TouchUpdatedTimestampSubscriber } from '../listeners/touch-updated-timestamp.subscriber';
import type { AlchemyConfig } from './alchemy-config';
import { DEFAULT_CONNECT_TIMEOUT_MS, statementTimeoutOf } from './engine-config';
import { parseConnectionString, type ConnectionTarget } from './connection-string';
import { rawJsonTypeParsers } from './json-column-codec';
import { entitiesOf } from '../typeorm/feature-entities';
import { hostChoosingPgClient } from '../session/host-choosing-pg-client';

/** The TypeORM data source options a config describes, and what its connection string said. */
export function buildDataSourceOptions(
  config: AlchemyConfig,
  connectionString: string,
): {
  options: DataSourceOptions;
  target: ConnectionTarget;
} {
  const target = parseConnectionString(connectionString, config.bindKey);
  ensureDriverInstalled(target, config.bindKey);
  const engine = config.engineConfig;
  const extra = engineExtras(target.kind, engine);
  // Several hosts or target_session_attrs: pg connects to one host only, so its pool gets a client
  // class that picks the server per connection (the URL's first host stays in `host` for messages).
  if (target.hostChoice) extra.Client = hostChoosingPgClient(config.bindKey, target.hostChoice);
  const kindDefaults: Record<string, unknown> =
    target.kind === 'sqlite'
      ? { enableWAL: target.options.database !== ':memory:' }
      : target.kind === 'postgres'
        ? {}
        : { timezone: 'Z', supportBigNumbers: true, bigNumberStrings: true };
  const options = {
    ...kindDefaults,
    ...target.options,
    ...moduleDataSourceOptions(config),
    extra,
  } as unknown as DataSourceOptions;
  return { options, target };
}

/**
 * The DataSource options of a config written as `@nestjs/typeorm`'s: the application's own, as they
 * are, with the bind key's entities and the module's subscriber added. `synchronize` is left for
 * `openBind` to run once the module's column types are applied.
 */
export function buildTypeOrmShapedOptions(config: AlchemyConfig, given: DataSourceOptions): DataSourceOptions {
  const kind = KIND_OF_TYPE[given.type] ?? 'postgres';
  ensureDriverInstalled({ kind, driverPackage: DRIVER_OF_KIND[kind] } as ConnectionTarget, config.bindKey);
  const own = given as unknown as Record<string, unknown>;
  const module = moduleDataSourceOptions(config);
  const subscribers = Array.isArray(own.subscribers) ? [...(own.subscribers as unknown[])] : [];
  return {
    ...own,
    name: config.bindKey,
    entities: module.entities,
    subscribers: [...subscribers, ...module.subscribers],
    poolSize: own.poolSize ?? module.poolSize,
    isolationLevel: own.isolationLevel ?? module.isolationLevel,
    logging: own.logging ?? module.logging,
    synchronize: false,
    extra: { ...engineExtras(kind, config.engineConfig), ...(own.extra as Record<string, unknown> | undefined) },
  } as unknown as DataSourceOptions;
}

const KIND_OF_TYPE: Record<string, ConnectionTarget['kind']> = {
  'better-sqlite3': 'sqlite',
  postgres: 'postgres',
  mysql: 'mysql',
  mariadb: 'mariadb',
};
const DRIVER_OF_KIND: Record<ConnectionTarget['kind'], ConnectionTarget['driverPackage']> = {
  sqlite: 'better-sqlite3',
  postgres: 'pg',
  mysql: 'mysql2',
  mariadb: 'mysql2',
};

/** What the module sets on every DataSource it builds, whatever the config's shape. */
function moduleDataSourceOptions(config: AlchemyConfig) {
  const engine = config.engineConfig;
  const isSqlite = config.typeOrmOptions
    ? config.typeOrmOptions.type === 'better-sqlite3'
    : config.connectionString?.startsWith('sqlite') === true;
  return {
    name: config.bindKey,
    entities: entitiesOf(config),
    subscribers: config.enableTouchUpdatedTimestampListener ? [TouchUpdatedTimestampSubscriber] : [],
    logging: engine.echo ?? false,
    poolSize: isSqlite ? undefined : engine.poolSize,
    isolationLevel: engine.isolationLevel,
    migrationsTableName: config.migrationConfig.versionTableName,
    synchronize: false,
    migrationsRun: false,
  };
}

/** Driver options the engine config sets (timeouts, JSON parsers), before the application's own `connectArgs`. */
function engineExtras(kind: ConnectionTarget['kind'], engine: AlchemyConfig['engineConfig']): Record<string, unknown> {
  const extra: Record<string, unknown> = {};
  const connectTimeout = engine.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT_MS;
  if (kind === 'postgres') {
    extra.connectionTimeoutMillis = connectTimeout;
    const statementTimeout = statementTimeoutOf(engine);
    // Sent in the startup packet: no round trip. A transaction pooler gets it with each BEGIN instead.
    if (statementTimeout > 0 && engine.transactionPooler !== true) extra.statement_timeout = statementTimeout;
    if (engine.poolRecycle !== undefined) extra.maxLifetimeSeconds = engine.poolRecycle;
    if (engine.jsonSerializer || engine.jsonDeserializer) extra.types = rawJsonTypeParsers();
  } else if (kind !== 'sqlite') {
    // MySQL/MariaDB get their statement timeout from the pool guard, on each new connection.
    extra.connectTimeout = connectTimeout;
  }
  Object.assign(extra, engine.connectArgs);
  return extra;
}

/** Fails at startup, naming the package to install, when the driver a URL needs is missing. */
function ensureDriverInstalled(target: ConnectionTarget, bindKey: string): void {
  const fromApp = createRequire(join(process.cwd(), 'package.json'));
  for (const resolver of [fromApp, require]) {
    try {
      resolver.resolve(target.driverPackage);
      return;
    } catch {
      // try the next place the driver could be installed
    }
  }
  throw new ImproperConfigurationError(
    `Bind key "${bindKey}" connects to ${target.kind}, which needs the "${target.driverPackage}" package: ` +
      `run npm install ${target.driverPackage}.`,
  );
}
