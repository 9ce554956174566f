import {
  createTestDatabase,
  openProbe,
  type TestDatabase,
  type TestDatabaseKind,
} from 'nestjs-advanced-alchemy/testing';

const SEEDED_ROWS = 1000;
/** A row that exists, the same one every time: a real read, and the same statement for every peer. */
export const READ_ROW = SEEDED_ROWS / 2;

const TABLE_DDL: Record<TestDatabaseKind, string> = {
  sqlite: 'CREATE TABLE bench_items (id INTEGER PRIMARY KEY AUTOINCREMENT, name varchar(64) NOT NULL)',
  postgres: 'CREATE TABLE bench_items (id SERIAL PRIMARY KEY, name varchar(64) NOT NULL)',
  mariadb: 'CREATE TABLE bench_items (id INT AUTO_INCREMENT PRIMARY KEY, name varchar(64) NOT NULL)',
};

/** A fresh database of `kind` with the bench table and its seeded rows. */
export async function prepareDatabase(kind: TestDatabaseKind): Promise<TestDatabase> {
  const database = await createTestDatabase(kind, 'bench');
  if (kind === 'sqlite') {
    // createTestDatabase names a file that does not exist yet; better-sqlite3 creates it on open.
    const { default: Database } = await import('better-sqlite3');
    new Database(database.connectionString.replace('sqlite:///', '')).close();
  }
  const probe = await openProbe(database.connectionString);
  await probe.query(TABLE_DDL[kind]);
  const values = Array.from({ length: SEEDED_ROWS }, () => "('seed')").join(', ');
  await probe.query(`INSERT INTO bench_items (name) VALUES ${values}`);
  await probe.close();
  return database;
}
