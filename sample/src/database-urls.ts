import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Where the catalogue lives when DATABASE_URL is not set: a SQLite file under ./data. */
export const DEFAULT_DATABASE_URL = 'sqlite:///data/catalogue.db';
/** Where the audit log lives when AUDIT_DATABASE_URL is not set: a SQLite file of its own. */
export const DEFAULT_AUDIT_DATABASE_URL = 'sqlite:///data/audit.db';

/**
 * SQLite creates its database file but not the directory around it: make that directory (./data
 * by default). `sqlite:///rel/path.db` is relative to the working directory, `sqlite:////abs.db` absolute.
 */
export function ensureSqliteDirectory(connectionString: string): void {
  const match = /^sqlite(\+[a-z0-9_]+)?:\/\/(.*)$/i.exec(connectionString);
  if (!match) return;
  const path = match[2].startsWith('/') ? match[2].slice(1) : match[2];
  if (path === '' || path === ':memory:') return;
  mkdirSync(dirname(resolve(path)), { recursive: true });
}

/** The family of database a URL names: each has its own migrations, generated on that kind. */
export function databaseKind(connectionString: string): 'sqlite' | 'postgres' | 'mariadb' {
  const scheme = connectionString.slice(0, connectionString.indexOf(':')).split('+')[0].toLowerCase();
  if (scheme === 'sqlite') return 'sqlite';
  if (scheme === 'postgres' || scheme === 'postgresql') return 'postgres';
  return 'mariadb';
}
