import { existsSync } from 'node:fs';
import { openProbe, type TestDatabase } from 'nestjs-advanced-alchemy/testing';

/** Whether a test database still exists: its SQLite file, or a new connection to its server database. */
export async function databaseExists(database: TestDatabase): Promise<boolean> {
  if (database.kind === 'sqlite') return existsSync(new URL(database.connectionString).pathname.replace(/^\/+/, '/'));
  try {
    await (await openProbe(database.connectionString)).close();
    return true;
  } catch {
    return false;
  }
}
