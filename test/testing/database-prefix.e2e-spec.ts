import { basename } from 'node:path';
import { createTestDatabase, openProbe, testDatabaseKinds } from 'nestjs-advanced-alchemy/testing';

/** The database name a test database's connection string names (the file name on SQLite). */
function databaseName(connectionString: string): string {
  if (connectionString.startsWith('sqlite:')) return basename(connectionString).replace(/\.db$/, '');
  return new URL(connectionString).pathname.slice(1);
}

// Teams sharing one database server want the test databases of each to carry their own prefix
// (to find them, to clean up after a crashed run, to grant rights on `team_a_%`).
describe.each(testDatabaseKinds())('the test database name prefix on %s', (kind) => {
  const saved = process.env.ALCHEMY_TEST_DATABASE_PREFIX;
  afterEach(() => {
    if (saved === undefined) delete process.env.ALCHEMY_TEST_DATABASE_PREFIX;
    else process.env.ALCHEMY_TEST_DATABASE_PREFIX = saved;
  });

  it('names the database <prefix>_<label>_<random> with the prefix option, and it works', async () => {
    const database = await createTestDatabase(kind, 'orders', { prefix: 'team_a' });
    try {
      expect(databaseName(database.connectionString)).toMatch(/^team_a_orders_[0-9a-f]{8}$/);
      // On a server the database was really created under that name (a SQLite file exists once used).
      if (kind !== 'sqlite') {
        const probe = await openProbe(database.connectionString);
        try {
          expect(await probe.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
        } finally {
          await probe.close();
        }
      }
    } finally {
      await database.drop();
    }
  });

  it('takes the prefix from ALCHEMY_TEST_DATABASE_PREFIX when the option is not given', async () => {
    process.env.ALCHEMY_TEST_DATABASE_PREFIX = 'ci_42';
    const database = await createTestDatabase(kind, 'orders');
    try {
      expect(databaseName(database.connectionString)).toMatch(/^ci_42_orders_[0-9a-f]{8}$/);
    } finally {
      await database.drop();
    }
  });

  it('keeps alchemy_ without either', async () => {
    delete process.env.ALCHEMY_TEST_DATABASE_PREFIX;
    const database = await createTestDatabase(kind, 'orders');
    try {
      expect(databaseName(database.connectionString)).toMatch(/^alchemy_orders_[0-9a-f]{8}$/);
    } finally {
      await database.drop();
    }
  });

  it('refuses a prefix that is not a plain identifier, naming it and the rule', async () => {
    await expect(createTestDatabase(kind, 'orders', { prefix: 'team-a; DROP' })).rejects.toThrow(
      /prefix "team-a; DROP".*letters, digits and underscores/,
    );
  });
});
