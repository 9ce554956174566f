import type { TypeOrmModuleOptions } from '@nestjs/typeorm';
import type { DataSource, DataSourceOptions } from 'typeorm';
import { ImproperConfigurationError } from '../errors/improper-configuration.error';
import { redactConnectionString } from './connection-string';
import type { AlchemyConfigOptions } from './alchemy-config';
import type { ConnectRetry } from './connect-retry';

/**
 * `@nestjs/typeorm`'s `forRoot` options as they are (a TypeORM `DataSourceOptions` with `type`, plus
 * `name`, `autoLoadEntities`, `retryAttempts` …), with the module's own options beside them.
 */
export type TypeOrmShapedConfigOptions = TypeOrmModuleOptions &
  Pick<DataSourceOptions, 'type'> &
  Omit<AlchemyConfigOptions, 'connectionString' | 'dataSource' | 'entities' | 'autoLoadEntities'> & {
    /** `@nestjs/typeorm`'s name for `createDataSource`: builds the DataSource from the options. */
    dataSourceFactory?: (options?: DataSourceOptions) => Promise<DataSource> | DataSource;
  };

/** What a TypeORM-shaped config becomes: the module's options, and the DataSource options it passes on. */
export interface TypeOrmShapedParts {
  moduleOptions: AlchemyConfigOptions;
  dataSourceOptions: DataSourceOptions;
  connectRetry: ConnectRetry;
}

/** The database types the module's sessions run on (TypeORM's names). */
export const SUPPORTED_TYPES = ['better-sqlite3', 'postgres', 'mysql', 'mariadb'] as const;

/** The module's own options, accepted beside a TypeORM-shaped config and checked by the module's schema. */
const MODULE_KEYS = new Set([
  'bindKey',
  'commitMode',
  'engineConfig',
  'sessionConfig',
  'createAll',
  'enableTouchUpdatedTimestampListener',
  'migrationConfig',
  'warnOnUncommittedWrites',
  'replicas',
  'routing',
  'createDataSource',
  'autoLoadEntities',
]);

/** `@nestjs/typeorm`'s own options: not TypeORM's, so not passed to the DataSource. */
const NEST_TYPEORM_KEYS = new Set(['name', 'retryAttempts', 'retryDelay', 'toRetry', 'verboseRetryLog']);

/** True when a config is written as `@nestjs/typeorm` writes it (it names a TypeORM `type`). */
export function isTypeOrmShaped(options: Record<string, unknown>): boolean {
  return options.type !== undefined;
}

/**
 * Splits a TypeORM-shaped config into the module's options (validated as usual by the caller) and the
 * DataSource options, refusing with the fix what the module cannot honour.
 */
export function splitTypeOrmShaped(options: Record<string, unknown>, index: number): TypeOrmShapedParts {
  const name = options.name;
  const bindKey = options.bindKey ?? name;
  const label = `Configuration ${typeof bindKey === 'string' ? `of bind key "${bindKey}"` : `#${index + 1}`}`;
  if (name !== undefined && options.bindKey !== undefined && name !== options.bindKey) {
    throw new ImproperConfigurationError(
      `${label} sets both name ("${String(name)}") and bindKey ("${String(options.bindKey)}"): they are the same ` +
        'thing (the data source name is the bind key). Keep one of them.',
    );
  }
  if (!(SUPPORTED_TYPES as readonly unknown[]).includes(options.type)) {
    throw new ImproperConfigurationError(
      `${label} has type ${JSON.stringify(options.type)}, which the module does not run sessions on. ` +
        `Use one of: ${SUPPORTED_TYPES.map((type) => `'${type}'`).join(', ')}` +
        (options.type === 'sqlite' ? " (TypeORM 1 dropped 'sqlite': use 'better-sqlite3')." : '.'),
    );
  }
  for (const field of ['connectionString', 'dataSource'] as const) {
    if (options[field] !== undefined) {
      throw new ImproperConfigurationError(
        `${label} sets type (TypeORM's options) and ${field}: give one or the other. Keep type, host, url … ` +
          `as @nestjs/typeorm takes them, or write the database as ${field} without type.`,
      );
    }
  }
  if (options.manualInitialization === true) {
    throw new ImproperConfigurationError(
      `${label} sets manualInitialization: true, which the module does not support: every bind key is opened at ` +
        'startup, because its sessions need a connected DataSource. Remove manualInitialization; to connect later, ' +
        'keep TypeOrmModule.forRoot for that DataSource and hand it to a bind key with forRootAsync when it is ready.',
    );
  }
  if (options.createDataSource !== undefined && options.dataSourceFactory !== undefined) {
    throw new ImproperConfigurationError(
      `${label} sets both createDataSource and dataSourceFactory: they are the same option. Keep one.`,
    );
  }
  const connectRetry = checkRetry(options, label);

  const moduleOptions: Record<string, unknown> = {};
  const dataSourceOptions: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (MODULE_KEYS.has(key)) moduleOptions[key] = value;
    else if (key === 'dataSourceFactory') moduleOptions.createDataSource = value;
    else if (key === 'entities') moduleOptions.entities = value;
    else if (!NEST_TYPEORM_KEYS.has(key) && key !== 'manualInitialization') dataSourceOptions[key] = value;
  }
  if (typeof bindKey === 'string') moduleOptions.bindKey = bindKey;
  else if (bindKey !== undefined) moduleOptions.bindKey = bindKey; // refused by the schema, with its message
  return {
    moduleOptions: moduleOptions as AlchemyConfigOptions,
    dataSourceOptions: dataSourceOptions as unknown as DataSourceOptions,
    connectRetry,
  };
}

function checkRetry(options: Record<string, unknown>, label: string): ConnectRetry {
  const { retryAttempts, retryDelay, toRetry } = options;
  if (retryAttempts !== undefined && (!Number.isInteger(retryAttempts) || (retryAttempts as number) < 0)) {
    throw new ImproperConfigurationError(
      `${label}: retryAttempts must be a whole number (0 or more), got ${String(retryAttempts)}.`,
    );
  }
  if (retryDelay !== undefined && (!Number.isInteger(retryDelay) || (retryDelay as number) < 0)) {
    throw new ImproperConfigurationError(
      `${label}: retryDelay must be whole milliseconds (0 or more), got ${String(retryDelay)}.`,
    );
  }
  if (toRetry !== undefined && typeof toRetry !== 'function') {
    throw new ImproperConfigurationError(`${label}: toRetry must be a function (error) => boolean.`);
  }
  return {
    attempts: Math.max(1, (retryAttempts as number | undefined) ?? 1),
    delayMs: (retryDelay as number | undefined) ?? 3000,
    toRetry: toRetry as ConnectRetry['toRetry'],
  };
}

/** Where a TypeORM-shaped config connects, for messages: never its password. */
export function describeTypeOrmTarget(options: DataSourceOptions): string {
  const record = options as unknown as Record<string, unknown>;
  if (typeof record.url === 'string') return `${options.type} ${redactConnectionString(record.url)}`;
  const host =
    record.host === undefined ? '' : `${String(record.host)}${record.port ? `:${String(record.port)}` : ''}/`;
  return `${options.type} ${host}${String(record.database ?? '')}`;
}

/** The passwords a TypeORM-shaped config carries, to keep them out of every message. */
export function secretsOf(options: DataSourceOptions): string[] {
  const record = options as unknown as Record<string, unknown>;
  const secrets: string[] = [];
  if (typeof record.password === 'string' && record.password) secrets.push(record.password);
  if (typeof record.url === 'string') {
    // Between the first ":" after the scheme and the last "@", as redactConnectionString hides it.
    const url = record.url;
    const start = url.indexOf('://') + 3;
    const colon = url.indexOf(':', start);
    const at = url.lastIndexOf('@');
    if (start >= 3 && colon >= 0 && at > colon + 1) {
      const password = url.slice(colon + 1, at);
      secrets.push(password);
      try {
        secrets.push(decodeURIComponent(password));
      } catch {
        // a malformed escape: the raw text is hidden already
      }
    }
  }
  return secrets;
}
