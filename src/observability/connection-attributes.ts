/** The stable database semantic-convention attributes of a bind key's DataSource options: never a secret. */
export interface ConnectionAttributes {
  'db.system.name': string;
  'db.namespace'?: string;
  'server.address'?: string;
  'server.port'?: number;
}

const SYSTEM_NAMES: Record<string, string> = {
  postgres: 'postgresql',
  mariadb: 'mariadb',
  mysql: 'mysql',
  'better-sqlite3': 'sqlite',
  sqlite: 'sqlite',
};

interface ConnectionFields {
  type: string;
  host?: unknown;
  port?: unknown;
  database?: unknown;
  url?: unknown;
}

/**
 * Only the fields that name where the database is (its system, host, port and database name),
 * read one by one: a password, a user name or a whole URL can never get in. A DataSource
 * configured with `url` gets host, port and database from the URL's own parts.
 */
export function connectionAttributes(options: ConnectionFields): ConnectionAttributes {
  const attributes: ConnectionAttributes = { 'db.system.name': SYSTEM_NAMES[options.type] ?? options.type };
  let { host, port, database } = options;
  if (typeof options.url === 'string' && host === undefined) {
    try {
      const url = new URL(options.url);
      host = url.hostname;
      port = url.port === '' ? undefined : Number(url.port);
      database = url.pathname.replace(/^\//, '') || undefined;
    } catch {
      // an unparseable URL says nothing that is safe to report
    }
  }
  if (typeof database === 'string' && database !== '') attributes['db.namespace'] = database;
  if (typeof host === 'string' && host !== '') attributes['server.address'] = host;
  const portNumber = typeof port === 'string' ? Number(port) : port;
  if (typeof portNumber === 'number' && Number.isInteger(portNumber) && portNumber > 0) {
    attributes['server.port'] = portNumber;
  }
  return attributes;
}
