import { isAbsolute, resolve } from 'node:path';
import { ImproperConfigurationError } from '../errors/improper-configuration.error';
import { parseTargetSessionAttrs, splitHostList, type HostChoice, type TargetSessionAttrs } from './host-list';

/** The database families a connection string can name. */
export type DatabaseKind = 'sqlite' | 'postgres' | 'mysql' | 'mariadb';

/** What a connection string says, in the terms TypeORM's data source options use. */
export interface ConnectionTarget {
  kind: DatabaseKind;
  /** The npm package of the driver TypeORM loads for this kind. */
  driverPackage: 'better-sqlite3' | 'pg' | 'mysql2';
  /** Connection fields of the TypeORM data source options (type, host, database …). */
  options: Record<string, unknown>;
  /** The password, kept apart so messages can be scrubbed of it. */
  password?: string;
  /**
   * PostgreSQL only: the servers a multi-host URL lists and the role to look for
   * (`target_session_attrs`); each new connection goes to the first server of the list with that role.
   */
  hostChoice?: HostChoice;
}

const SCHEMES: Record<string, DatabaseKind> = {
  sqlite: 'sqlite',
  postgresql: 'postgres',
  postgres: 'postgres',
  mysql: 'mysql',
  mariadb: 'mariadb',
};

const DRIVER_PACKAGE: Record<DatabaseKind, ConnectionTarget['driverPackage']> = {
  sqlite: 'better-sqlite3',
  postgres: 'pg',
  mysql: 'mysql2',
  mariadb: 'mysql2',
};

const DEFAULT_PORT: Record<DatabaseKind, number> = { sqlite: 0, postgres: 5432, mysql: 3306, mariadb: 3306 };

/** Query parameters each kind understands, mapped to the TypeORM option they set. */
const QUERY_PARAMETERS: Record<DatabaseKind, Record<string, (value: string) => Record<string, unknown>>> = {
  sqlite: {},
  postgres: {
    schema: (value) => ({ schema: value }),
    application_name: (value) => ({ applicationName: value }),
    sslmode: (value) => ({ ssl: sslFromMode(value) }),
    connect_timeout: (value) => ({ connectTimeoutMS: seconds('connect_timeout', value) * 1000 }),
  },
  mysql: {
    charset: (value) => ({ charset: value }),
    timezone: (value) => ({ timezone: value }),
    connect_timeout: (value) => ({ connectTimeout: seconds('connect_timeout', value) * 1000 }),
  },
  mariadb: {},
};
QUERY_PARAMETERS.mariadb = QUERY_PARAMETERS.mysql;

/**
 * Replaces the password of a connection string with `***`; safe to log. Works on malformed
 * strings too (an unencoded `@`, `/` or `#` in the password, a missing scheme): everything
 * between the first `:` after the scheme and the last `@` is hidden, erring towards hiding more.
 */
export function redactConnectionString(connectionString: string): string {
  const schemeEnd = connectionString.indexOf('://');
  const start = schemeEnd >= 0 ? schemeEnd + 3 : 0;
  const at = connectionString.lastIndexOf('@');
  if (at < start) return connectionString;
  const colon = connectionString.indexOf(':', start);
  if (colon < 0 || colon > at) return connectionString;
  return `${connectionString.slice(0, colon + 1)}***${connectionString.slice(at)}`;
}

/**
 * Parses a SQLAlchemy-style connection string: `sqlite:///relative.db`, `sqlite:////abs/path.db`,
 * `sqlite://:memory:`, `postgresql://user:pass@host:5432/db`, `mysql://…`, `mariadb://…`.
 * A `+driver` suffix on the scheme (`postgresql+asyncpg`) is accepted and ignored: the driver is
 * always the one TypeORM uses for that database.
 */
export function parseConnectionString(connectionString: string, bindKey: string): ConnectionTarget {
  const where = `connectionString of bind key "${bindKey}"`;
  const match = /^([a-z][a-z0-9.-]*)(\+[a-z0-9_]+)?:\/\/(.*)$/i.exec(connectionString);
  if (!match) {
    throw new ImproperConfigurationError(
      `${where} is not a URL (got "${redactConnectionString(connectionString)}"). ` +
        'Write it as scheme://…, e.g. "sqlite:///data/app.db" or "postgresql://user:pass@localhost:5432/app".',
    );
  }
  const scheme = match[1].toLowerCase();
  const kind = SCHEMES[scheme];
  if (!kind) {
    throw new ImproperConfigurationError(
      `${where} has the unknown scheme "${scheme}://". Use one of: ${Object.keys(SCHEMES)
        .map((s) => `${s}://`)
        .join(', ')}.`,
    );
  }
  if (kind === 'sqlite') return parseSqlite(match[3], where);
  return parseServer(kind, connectionString, where);
}

function parseSqlite(rest: string, where: string): ConnectionTarget {
  const path = rest.startsWith('/') ? rest.slice(1) : rest;
  if (path.includes('?')) {
    throw new ImproperConfigurationError(
      `${where} has query parameters; SQLite URLs take none: write sqlite:///path/to/file.db.`,
    );
  }
  const database = path === '' || path === ':memory:' ? ':memory:' : isAbsolute(path) ? path : resolve(path);
  return { kind: 'sqlite', driverPackage: DRIVER_PACKAGE.sqlite, options: { type: 'better-sqlite3', database } };
}

function parseServer(kind: DatabaseKind, connectionString: string, where: string): ConnectionTarget {
  const { firstHostUrl, hosts } = splitHostList(connectionString, DEFAULT_PORT[kind], where);
  if (hosts && kind !== 'postgres') {
    throw new ImproperConfigurationError(
      `${where} lists several hosts; only PostgreSQL URLs can. Name one ${kind} server (a Galera node, or a ` +
        'proxy in front of the cluster such as MaxScale or HAProxy).',
    );
  }
  let url: URL;
  try {
    url = new URL(firstHostUrl.replace(/^[^:]+:/, 'db:'));
  } catch {
    throw new ImproperConfigurationError(
      `${where} is not a valid URL (got "${redactConnectionString(connectionString)}"). ` +
        'Write it as scheme://user:password@host:port/database and percent-encode special characters in the password.',
    );
  }
  if (!url.hostname) {
    throw new ImproperConfigurationError(`${where} names no host: write ${kind}://user:password@host:port/database.`);
  }
  const database = decodePart(url.pathname.replace(/^\//, ''), 'database name', where);
  if (!database || database.includes('/')) {
    throw new ImproperConfigurationError(
      `${where} names no database (got path "${url.pathname}"): add it after the host, e.g. ${kind}://user@${url.hostname}/app.`,
    );
  }
  const port = url.port ? Number(url.port) : DEFAULT_PORT[kind];
  const password = url.password ? decodePart(url.password, 'password', where) : undefined;
  const options: Record<string, unknown> = {
    type: kind === 'mariadb' ? 'mariadb' : kind === 'mysql' ? 'mysql' : 'postgres',
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    username: url.username ? decodePart(url.username, 'user name', where) : undefined,
    password,
    database,
  };
  const known = QUERY_PARAMETERS[kind];
  let targetSessionAttrs: TargetSessionAttrs | undefined;
  for (const [name, value] of url.searchParams) {
    if (name === 'target_session_attrs' && kind === 'postgres') {
      targetSessionAttrs = parseTargetSessionAttrs(value, where);
      continue;
    }
    const apply = known[name];
    if (!apply) {
      const supported = Object.keys(known);
      throw new ImproperConfigurationError(
        `${where} has the unknown query parameter "${name}". ` +
          (supported.length
            ? `Supported: ${[...supported, ...(kind === 'postgres' ? ['target_session_attrs'] : [])].join(', ')}; pass anything else in engineConfig.connectArgs.`
            : 'Pass driver options in engineConfig.connectArgs.'),
      );
    }
    try {
      Object.assign(options, apply(value));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ImproperConfigurationError(`${where}: query parameter ${name}: ${reason}`, { cause: error });
    }
  }
  const hostChoice =
    hosts || targetSessionAttrs
      ? { hosts: hosts ?? [{ host: options.host as string, port }], targetSessionAttrs: targetSessionAttrs ?? 'any' }
      : undefined;
  return { kind, driverPackage: DRIVER_PACKAGE[kind], options, password, hostChoice };
}

/** Percent-decodes one part of the URL; a malformed escape names the part and the fix, never its text. */
function decodePart(text: string, part: string, where: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new ImproperConfigurationError(
      `${where} has a malformed percent-escape in its ${part} (a "%" not followed by two hex digits). ` +
        'Percent-encode the special characters of that part: "%" as %25, "@" as %40, "/" as %2F, "#" as %23 ' +
        '(encodeURIComponent does it).',
    );
  }
}

function sslFromMode(mode: string): boolean | { rejectUnauthorized: boolean } {
  switch (mode) {
    case 'disable':
      return false;
    case 'require':
    case 'prefer':
    case 'allow':
      return { rejectUnauthorized: false };
    case 'verify-ca':
    case 'verify-full':
      return { rejectUnauthorized: true };
    default:
      throw new ImproperConfigurationError(
        `sslmode "${mode}" is not known: use disable, allow, prefer, require, verify-ca or verify-full.`,
      );
  }
}

function seconds(name: string, value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) {
    throw new ImproperConfigurationError(`${name} must be a positive number of seconds (got "${value}").`);
  }
  return parsed;
}
