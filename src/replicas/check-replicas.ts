import type { AlchemyConfig } from '../config/alchemy-config';
import { parseConnectionString, redactConnectionString } from '../config/connection-string';
import { ImproperConfigurationError } from '../errors/improper-configuration.error';

const KIND_OF_TYPE: Record<string, string> = {
  postgres: 'postgres',
  mysql: 'mysql',
  mariadb: 'mysql',
  'better-sqlite3': 'sqlite',
};

/**
 * Checks at startup that a config's `replicas` fit its primary: SQLite has none (one file, one
 * connection), and each replica is a server of the primary's kind.
 */
export function checkReplicasFit(config: AlchemyConfig): void {
  const where = `Configuration of bind key "${config.bindKey}"`;
  if (config.replicas.length === 0) return;
  const primary = config.connectionString
    ? parseConnectionString(config.connectionString, config.bindKey).kind
    : KIND_OF_TYPE[config.typeOrmOptions?.type ?? config.dataSource?.options.type ?? ''];
  const family = (kind: string | undefined) => (kind === 'mariadb' ? 'mysql' : kind);
  if (primary === 'sqlite') {
    throw new ImproperConfigurationError(
      `${where}: replicas are not supported on SQLite (one database file, one connection: there is nothing to replicate to). ` +
        'Remove replicas, or use PostgreSQL or MySQL/MariaDB for this bind key.',
    );
  }
  for (const [index, option] of config.replicas.entries()) {
    const url = typeof option === 'string' ? option : option.connectionString;
    const kind = parseConnectionString(url, config.bindKey).kind;
    if (family(kind) !== family(primary)) {
      throw new ImproperConfigurationError(
        `${where}: replicas[${index}] (${redactConnectionString(url)}) is ${kind}, but the primary is ${String(primary)}: ` +
          'a replica must be a server of the same kind as its primary.',
      );
    }
  }
}
