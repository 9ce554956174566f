import { validateSync, type ValidationError } from 'class-validator';
import { ImproperConfigurationError } from '../errors/improper-configuration.error';
import { AlchemyConfig, DEFAULT_BIND_KEY, type AlchemyConfigOptions } from './alchemy-config';
import { AlchemyConfigSchema, NESTED_SCHEMAS } from './config-schema';
import { parseConnectionString, redactConnectionString } from './connection-string';
import { checkReplicasFit } from '../replicas/check-replicas';
import { isTypeOrmShaped, splitTypeOrmShaped, type TypeOrmShapedParts } from './typeorm-shaped-options';

/**
 * Checks the configuration handed to `forRoot`/`forRootAsync` and fills in defaults.
 * Every problem is an `ImproperConfigurationError` naming the bind key, the field and the fix.
 */
export function normalizeConfigs(input: unknown): AlchemyConfig[] {
  const list = Array.isArray(input) ? input : [input];
  if (list.length === 0) {
    throw new ImproperConfigurationError(
      'AdvancedAlchemyModule got no configuration: pass at least one { connectionString } or { dataSource }.',
    );
  }
  const configs = list.map((item, index) => normalizeConfig(item, index));
  const seen = new Set<string>();
  for (const config of configs) {
    if (seen.has(config.bindKey)) {
      throw new ImproperConfigurationError(
        `Two configurations use the bind key "${config.bindKey}": give each database its own bindKey.`,
      );
    }
    seen.add(config.bindKey);
  }
  return configs;
}

function normalizeConfig(item: unknown, index: number): AlchemyConfig {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    throw new ImproperConfigurationError(
      `Configuration #${index + 1} must be an object like { connectionString: 'sqlite:///app.db' } (got ${describeField('connectionString', item)}).`,
    );
  }
  let options = item as Record<string, unknown>;
  let typeOrmShaped: TypeOrmShapedParts | undefined;
  if (isTypeOrmShaped(options)) {
    typeOrmShaped = splitTypeOrmShaped(options, index);
    options = typeOrmShaped.moduleOptions as Record<string, unknown>;
  }
  const bindKeyName = typeof options.bindKey === 'string' ? options.bindKey : DEFAULT_BIND_KEY;
  const label = `bind key "${bindKeyName}"`;
  const schema = Object.assign(new AlchemyConfigSchema(), options);
  for (const [field, Schema] of Object.entries(NESTED_SCHEMAS)) {
    const nested = options[field];
    if (nested === undefined) continue;
    if (typeof nested !== 'object' || nested === null || Array.isArray(nested)) {
      throw new ImproperConfigurationError(
        `Configuration of ${label}: ${field} must be an object (got ${describe(nested)}).`,
      );
    }
    Object.assign(schema, { [field]: Object.assign(new Schema(), nested) });
  }
  const errors = validateSync(schema, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
  if (errors.length > 0) {
    throw new ImproperConfigurationError(`Configuration of ${label} is invalid: ${formatErrors(errors).join('; ')}.`);
  }

  if (typeOrmShaped) {
    const config = new AlchemyConfig(options as AlchemyConfigOptions, typeOrmShaped);
    checkReplicasFit(config);
    return config;
  }
  const hasUrl = options.connectionString !== undefined;
  const hasDataSource = options.dataSource !== undefined;
  if (hasUrl === hasDataSource) {
    throw new ImproperConfigurationError(
      `Configuration of ${label} must set exactly one of connectionString and dataSource (got ${hasUrl ? 'both' : 'neither'}). ` +
        'Use connectionString to let the module create the DataSource, or dataSource to hand it one you made ' +
        "(or write @nestjs/typeorm's options as they are: { type: 'postgres', host, … }).",
    );
  }
  const config = new AlchemyConfig(options as AlchemyConfigOptions);
  if (config.connectionString !== undefined) {
    checkEngineConfigFits(config, parseConnectionString(config.connectionString, config.bindKey).kind);
  }
  checkReplicasFit(config);
  return config;
}

function checkEngineConfigFits(config: AlchemyConfig, kind: string): void {
  const { poolSize, poolRecycle } = config.engineConfig;
  const where = `Configuration of bind key "${config.bindKey}"`;
  if (kind === 'sqlite' && poolSize !== undefined && poolSize !== 1) {
    throw new ImproperConfigurationError(
      `${where}: engineConfig.poolSize is ${poolSize}, but SQLite has a single connection (sessions take turns on it). Remove poolSize.`,
    );
  }
  if (kind !== 'postgres' && poolRecycle !== undefined) {
    throw new ImproperConfigurationError(
      `${where}: engineConfig.poolRecycle is supported on PostgreSQL only (the ${kind} driver cannot retire connections by age). Remove it.`,
    );
  }
}

function formatErrors(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((error) => {
    const path = `${prefix}${error.property}`;
    if (error.children?.length) return formatErrors(error.children, `${path}.`);
    const messages = Object.entries(error.constraints ?? {}).map(([rule, message]) =>
      rule === 'whitelistValidation'
        ? `${path} is not a known option (check its spelling; see docs/configuration.md)`
        : `${path}: ${message} (got ${describeField(error.property, error.value)})`,
    );
    return messages;
  });
}

function describeField(property: string, value: unknown): string {
  if (property === 'connectionString' && typeof value === 'string')
    return JSON.stringify(redactConnectionString(value));
  return describe(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'function') return 'a function';
  return String(value);
}
