import { ImproperConfigurationError } from '../errors/improper-configuration.error';

/** One server of a multi-host PostgreSQL URL. */
export interface HostAddress {
  host: string;
  port: number;
}

/**
 * Which server of the list a new connection may use (libpq's `target_session_attrs`):
 * `read-write` and `primary` want the primary, `read-only` and `standby` a standby,
 * `prefer-standby` a standby when one answers and any server otherwise, `any` the first that answers.
 */
export type TargetSessionAttrs = 'any' | 'read-write' | 'read-only' | 'primary' | 'standby' | 'prefer-standby';

export const TARGET_SESSION_ATTRS: readonly TargetSessionAttrs[] = [
  'any',
  'read-write',
  'read-only',
  'primary',
  'standby',
  'prefer-standby',
];

/** The servers a PostgreSQL URL lists, in order, and the role a connection must find there. */
export interface HostChoice {
  hosts: HostAddress[];
  targetSessionAttrs: TargetSessionAttrs;
}

/**
 * Splits the host part of a URL written as libpq writes several hosts
 * (`postgresql://user@h1:5432,h2:5433,[::1]:5434/db`). Returns the URL with only its first host
 * (what `new URL` can parse) and every host of the list; `hosts` is undefined when the URL names
 * one host. A malformed entry (empty, a port that is not a number) names itself and the fix.
 */
export function splitHostList(
  connectionString: string,
  defaultPort: number,
  where: string,
): { firstHostUrl: string; hosts?: HostAddress[] } {
  const authorityStart = connectionString.indexOf('://') + 3;
  const rest = connectionString.slice(authorityStart);
  const authorityEnd = rest.search(/[/?#]/);
  const authority = authorityEnd < 0 ? rest : rest.slice(0, authorityEnd);
  const at = authority.lastIndexOf('@');
  const hostPart = authority.slice(at + 1);
  if (!hostPart.includes(',')) return { firstHostUrl: connectionString };
  const hosts = hostPart.split(',').map((entry, index) => parseHostEntry(entry, index, defaultPort, where));
  const first = hostPart.split(',')[0];
  const firstHostUrl =
    connectionString.slice(0, authorityStart) +
    authority.slice(0, at + 1) +
    first +
    (authorityEnd < 0 ? '' : rest.slice(authorityEnd));
  return { firstHostUrl, hosts };
}

function parseHostEntry(entry: string, index: number, defaultPort: number, where: string): HostAddress {
  const fix = 'write the hosts as host:port separated by commas, e.g. postgresql://user@db1:5432,db2:5432/app';
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d*))?$/.exec(entry);
  if (!match) {
    throw new ImproperConfigurationError(
      `${where} has a malformed host ${index + 1} in its host list ("${entry}"): ${fix}.`,
    );
  }
  const port = match[2] ? Number(match[2]) : defaultPort;
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new ImproperConfigurationError(
      `${where} has the port "${match[2]}" for host ${index + 1} of its host list; a port is 1 to 65535: ${fix}.`,
    );
  }
  return { host: match[1].replace(/^\[(.*)\]$/, '$1'), port };
}

/** Validates a `target_session_attrs` value, naming the accepted ones. */
export function parseTargetSessionAttrs(value: string, where: string): TargetSessionAttrs {
  if ((TARGET_SESSION_ATTRS as readonly string[]).includes(value)) return value as TargetSessionAttrs;
  throw new ImproperConfigurationError(
    `${where} has target_session_attrs=${value}, which is not known: use one of ${TARGET_SESSION_ATTRS.join(', ')} ` +
      '(read-write for the primary, prefer-standby for a replica).',
  );
}

/** `h1:5432,h2:5433`: how messages name the servers of a list (never with credentials). */
export function describeHosts(hosts: readonly HostAddress[]): string {
  return hosts.map(describeHost).join(',');
}

export function describeHost({ host, port }: HostAddress): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}
