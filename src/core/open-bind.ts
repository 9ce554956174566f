import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AlchemyConfig } from '../config/alchemy-config';
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_POOL_TIMEOUT_MS, statementTimeoutOf } from '../config/engine-config';
import { buildDataSourceOptions, buildTypeOrmShapedOptions } from '../config/data-source-options';
import { describeTypeOrmTarget, secretsOf } from '../config/typeorm-shaped-options';
import { applyJsonColumnCodec } from '../config/json-column-codec';
import { applyDialectColumnTypes } from '../service/entities/dialect-column-types';
import { redactConnectionString } from '../config/connection-string';
import { ImproperConfigurationError } from '../errors/improper-configuration.error';
import { DatabaseStartupError } from '../errors/database-startup.error';
import { Bind } from '../session/bind';
import { installSqliteRunnerPool } from '../session/sqlite-runner-pool';
import { ConnectionSlots } from '../session/connection-slots';
import { guardDriverPools } from '../session/pool-guard';
import { isDatabaseCliBoot } from '../migrations/cli-boot-flag';
import { runMigrationsOnStartup } from '../migrations/run-on-startup';
import { schemaLockName, withMigrationLock } from '../migrations/migration-lock';
import { describeSchemaStatus, readSchemaStatus } from '../migrations/schema-status';
import { createMissingTables } from './create-missing-tables';
import { routeReadsToReplicas } from '../replicas/replica-router';
import { ReplicaSet } from '../replicas/replica-set';
import { beginsOnFirstWrite } from '../session/begin-on-first-write';
import { describeError, scrubSecrets } from './secret-scrubber';
import { initializeBehindAnyPooler, poolerHint } from './initialize-behind-pooler';
import { markBehindTransactionPooler } from '../session/transaction-pooler';

/** How a bind is opened: `tenant` for a tenant's DataSource of the database strategy. */
export interface OpenBindOptions {
  /** Skips what the bind key checked once at its own startup (the schema-status warning). */
  tenant?: boolean;
}

/** Creates (or adopts) the bind key's DataSource, connects it and prepares it for sessions. */
export async function openBind(
  config: AlchemyConfig,
  index: number,
  secrets: string[],
  options: OpenBindOptions = {},
): Promise<Bind> {
  let dataSource: DataSource;
  let owns = true;
  let where: string;
  if (config.dataSource) {
    dataSource = config.dataSource;
    owns = !dataSource.isInitialized;
    where = `the DataSource given for bind key "${config.bindKey}"`;
  } else if (config.typeOrmOptions) {
    const options = buildTypeOrmShapedOptions(config, config.typeOrmOptions);
    secrets.push(...secretsOf(config.typeOrmOptions));
    where = `bind key "${config.bindKey}" (${describeTypeOrmTarget(config.typeOrmOptions)})`;
    dataSource = config.createDataSource ? await config.createDataSource(options) : new DataSource(options);
    checkMadeDataSource(config, dataSource);
  } else {
    const connectionString = config.connectionString as string;
    const { options, target } = buildDataSourceOptions(config, connectionString);
    if (target.password) secrets.push(target.password);
    where = `bind key "${config.bindKey}" (${redactConnectionString(connectionString)})`;
    dataSource = config.createDataSource ? await config.createDataSource(options) : new DataSource(options);
    checkMadeDataSource(config, dataSource);
  }
  // The driver exists from the constructor on: check what it supports before connecting.
  checkIsolationLevels(config, dataSource);
  if (config.engineConfig.transactionPooler === true && dataSource.options.type === 'postgres') {
    markBehindTransactionPooler(dataSource);
  }
  if (!dataSource.isInitialized) await connect(config, dataSource, where, secrets);
  let slots: ConnectionSlots | undefined;
  let beginOnFirstWrite: boolean;
  try {
    applyDialectColumnTypes(dataSource);
    applyJsonColumnCodec(dataSource, config.engineConfig);
    const timeout = config.engineConfig.poolTimeout ?? DEFAULT_POOL_TIMEOUT_MS;
    if (dataSource.options.type === 'better-sqlite3') {
      installSqliteRunnerPool(dataSource, new ConnectionSlots(config.bindKey, 1, timeout, 'sqlite'));
    } else {
      slots = new ConnectionSlots(config.bindKey, poolSizeOf(dataSource), timeout, 'server');
      guardDriverPools(dataSource, {
        bindKey: config.bindKey,
        prePing: config.engineConfig.prePing === true,
        pingTimeoutMs: config.engineConfig.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT_MS,
        // pg gets it in its startup packet; an adopted DataSource keeps the settings it was made with.
        statementTimeoutMs: config.dataSource ? 0 : statementTimeoutOf(config.engineConfig),
        logger: new Logger('AdvancedAlchemy'),
      });
    }
    if (config.migrationConfig.runOnStartup && !isDatabaseCliBoot()) {
      try {
        await runMigrationsOnStartup(config, dataSource);
      } catch (error) {
        throw new DatabaseStartupError(
          scrubSecrets(`Migrations of ${where} failed at startup: ${describeError(error, secrets)}`, secrets),
        );
      }
    }
    // `synchronize` of a TypeORM-shaped config, run here rather than in initialize(): after the
    // module's column types are applied, and not while the command line boots the app.
    if ((config.typeOrmOptions as { synchronize?: boolean } | undefined)?.synchronize && !isDatabaseCliBoot()) {
      try {
        await dataSource.synchronize();
      } catch (error) {
        throw new DatabaseStartupError(
          scrubSecrets(`synchronize failed on ${where}: ${describeError(error, secrets)}`, secrets),
        );
      }
    }
    // While the command line boots the app, the schema is the migrations' business.
    if (config.createAll && !isDatabaseCliBoot()) {
      try {
        // Under the migrations' lock: instances starting together would each create the same table.
        await withMigrationLock(dataSource, schemaLockName(config), () => createMissingTables(dataSource));
      } catch (error) {
        throw new DatabaseStartupError(
          scrubSecrets(`createAll could not create the tables of ${where}: ${describeError(error, secrets)}`, secrets),
        );
      }
    }
    if (!isDatabaseCliBoot() && !options.tenant) await warnWhenSchemaIsBehind(config, dataSource, secrets);
    beginOnFirstWrite = await beginsOnFirstWrite(config, dataSource);
  } catch (error) {
    if (owns) await dataSource.destroy().catch(() => undefined);
    throw error;
  }
  const bind = new Bind(index, config, dataSource, owns, slots, secrets, beginOnFirstWrite);
  // The command line (migrations, drop-all, dump-data) works on the primary only.
  if (!isDatabaseCliBoot()) {
    const replicas = await ReplicaSet.open(config, secrets);
    if (replicas) routeReadsToReplicas(bind, replicas);
  }
  return bind;
}

function checkMadeDataSource(config: AlchemyConfig, dataSource: DataSource): void {
  if (!dataSource || typeof dataSource.initialize !== 'function') {
    throw new ImproperConfigurationError(
      `createDataSource of bind key "${config.bindKey}" returned ${String(dataSource)}: it must return a TypeORM ` +
        'DataSource (so must dataSourceFactory, its name in @nestjs/typeorm).',
    );
  }
}

/** Connects, trying again as `retryAttempts`/`retryDelay` say (once by default); the last failure is thrown. */
async function connect(config: AlchemyConfig, dataSource: DataSource, where: string, secrets: string[]): Promise<void> {
  const { attempts, delayMs, toRetry } = config.connectRetry;
  for (let attempt = 1; ; attempt++) {
    try {
      await initializeBehindAnyPooler(config, dataSource);
      return;
    } catch (error) {
      const message = `Could not connect ${where}: ${describeError(error, secrets)}${poolerHint(error)}`;
      if (attempt >= attempts || (toRetry && !toRetry(error))) {
        const tries = attempts > 1 ? ` (${attempt} attempts)` : '';
        throw new DatabaseStartupError(scrubSecrets(message + tries, secrets));
      }
      logger.error(`${scrubSecrets(message, secrets)}; attempt ${attempt} of ${attempts}, next in ${delayMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

const logger = new Logger('AdvancedAlchemy');

function checkIsolationLevels(config: AlchemyConfig, dataSource: DataSource): void {
  const supported = (dataSource.driver as { supportedIsolationLevels?: readonly string[] }).supportedIsolationLevels;
  const wanted = [
    ['engineConfig.isolationLevel', config.engineConfig.isolationLevel],
    ['sessionConfig.isolationLevel', config.sessionConfig.isolationLevel],
  ] as const;
  for (const [field, level] of wanted) {
    if (level && supported && !supported.includes(level)) {
      throw new ImproperConfigurationError(
        `${field} of bind key "${config.bindKey}" is "${level}", which ${dataSource.options.type} does not support: ` +
          `use one of ${supported.join(', ')}.`,
      );
    }
  }
}

/** The pool size the DataSource was built with (TypeORM's `poolSize`, or the driver's own option). */
function poolSizeOf(dataSource: DataSource): number {
  const options = dataSource.options as { poolSize?: number; extra?: { max?: number; connectionLimit?: number } };
  return options.poolSize ?? options.extra?.max ?? options.extra?.connectionLimit ?? 10;
}

/**
 * A database without the tables of the entities (or with migrations not applied) starts, then fails
 * every request that needs them: one line at startup says so and names the command to run. A
 * warning, not an error: a deployment may apply its migrations from a job of its own, after this
 * version starts, and the routes that do not need those tables keep working. `/health` reports it.
 */
async function warnWhenSchemaIsBehind(config: AlchemyConfig, dataSource: DataSource, secrets: string[]): Promise<void> {
  const logger = new Logger('AdvancedAlchemy');
  try {
    const line = describeSchemaStatus(config.bindKey, await readSchemaStatus(config, dataSource));
    if (line) logger.warn(line);
  } catch (error) {
    // The check is advice: a database that cannot answer it fails the first request with its own error.
    logger.debug(
      scrubSecrets(
        `Could not check the schema of bind key "${config.bindKey}": ${describeError(error, secrets)}`,
        secrets,
      ),
    );
  }
}
