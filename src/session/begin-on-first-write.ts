import type { DataSource } from 'typeorm';
import type { AlchemyConfig } from '../config/alchemy-config';

/** The isolation levels under which a plain read sees the same outside a transaction as inside one. */
const FRESH_SNAPSHOT_PER_STATEMENT = new Set(['READ COMMITTED', 'READ UNCOMMITTED']);

/**
 * Whether the sessions of a bind key may run plain reads before their BEGIN
 * (`sessionConfig.beginOnFirstWrite`). Unset, it follows the isolation level the transactions
 * would have: the configured one, else the server's default for this connection, asked once at
 * startup (a role, database or connection option may have changed it).
 */
export async function beginsOnFirstWrite(config: AlchemyConfig, dataSource: DataSource): Promise<boolean> {
  const configured = config.sessionConfig.beginOnFirstWrite;
  if (configured !== undefined) return configured;
  const type = dataSource.options.type;
  // SQLite's transactions are SERIALIZABLE: a read snapshot lasts to COMMIT.
  if (type === 'better-sqlite3') return false;
  const level = config.sessionConfig.isolationLevel ?? config.engineConfig.isolationLevel;
  if (level !== undefined) return FRESH_SNAPSHOT_PER_STATEMENT.has(level);
  return FRESH_SNAPSHOT_PER_STATEMENT.has(await serverDefaultIsolation(dataSource));
}

async function serverDefaultIsolation(dataSource: DataSource): Promise<string> {
  if (dataSource.options.type === 'postgres') {
    const rows = (await dataSource.query('SHOW default_transaction_isolation')) as Array<Record<string, string>>;
    return (rows[0]?.default_transaction_isolation ?? '').toUpperCase();
  }
  // MySQL 8 knows only transaction_isolation; MariaDB before 11.1 only tx_isolation.
  let rows: Array<Record<string, string>>;
  try {
    rows = (await dataSource.query('SELECT @@transaction_isolation AS level')) as Array<Record<string, string>>;
  } catch {
    rows = (await dataSource.query('SELECT @@tx_isolation AS level')) as Array<Record<string, string>>;
  }
  return (rows[0]?.level ?? '').replace(/-/g, ' ').toUpperCase();
}
