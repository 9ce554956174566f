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
  const extra: Record<string, unknown> = {};
  const connectTimeout = engine.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT_MS;
  if (target.kind === 'postgres') {
    extra.connectionTimeoutMillis = connectTimeout;
    const statementTimeout = statementTimeoutOf(engine);
    // Sent in the startup packet: no round trip. A transaction pooler gets it with each BEGIN instead.
    if (statementTimeout > 0 && engine.transactionPooler !== true) extra.statement_timeout = statementTimeout;
    if (engine.poolRecycle !== undefined) extra.maxLifetimeSeconds = engine.poolRecycle;
    if (engine.jsonSerializer || engine.jsonDeserializer) extra.types = rawJsonTypeParsers();
  } else if (target.kind !== 'sqlite') {
    // MySQL/MariaDB get their statement timeout from the pool guard, on each new connection.
    extra.connectTimeout = connectTimeout;
  }
  Object.assign(extra, engine.connectArgs);
  const kindDefaults: Record<string, unknown> =
    target.kind === 'sqlite'
      ? { enableWAL: target.options.database !== ':memory:' }
      : target.kind === 'postgres'
        ? {}
        : { timezone: 'Z', supportBigNumbers: true, bigNumberStrings: true };
  const options = {
    ...kindDefaults,
    ...target.options,
    name: config.bindKey,
    entities: entitiesOf(config),
    subscribers: config.enableTouchUpdatedTimestampListener ? [TouchUpdatedTimestampSubscriber] : [],
    logging: engine.echo ?? false,
    poolSize: target.kind === 'sqlite' ? undefined : engine.poolSize,
    isolationLevel: engine.isolationLevel,
    migrationsTableName: config.migrationConfig.versionTableName,
    synchronize: false,
    migrationsRun: false,
    extra,
  } as unknown as DataSourceOptions;
  return { options, target };
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
