import {
  createTestDatabase,
  openProbe,
  testDatabaseKinds,
  type DatabaseProbe,
  type TestDatabase,
} from 'nestjs-advanced-alchemy/testing';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChildApp, type ChildApp } from '../reliability/fixtures/child-process';
import { send } from '../reliability/fixtures/http-load';
import { eachKind } from '../support/each-kind';

// Three instances of an application (processes of their own) start together with a pending
// migration and migrationConfig.runOnStartup: one applies it, the others wait for it, then all serve.

jest.setTimeout(90_000);

const INSTANCES = 3;

/** Creates a table (a second run fails: "already exists"), taking a second, so the starts overlap. */
function writeMigration(directory: string, kind: string): void {
  const sleep = kind === 'postgres' ? 'SELECT pg_sleep(1)' : 'SELECT SLEEP(1)';
  writeFileSync(
    join(directory, '1700000000000-once.js'),
    `module.exports.Once1700000000000 = class Once1700000000000 {
  async up(queryRunner) {
    await queryRunner.query('CREATE TABLE once_applied (id int)');
    await queryRunner.query(${JSON.stringify(sleep)});
    await queryRunner.query('INSERT INTO once_applied (id) VALUES (1)');
  }
  async down(queryRunner) { await queryRunner.query('DROP TABLE once_applied'); }
};
`,
  );
}

eachKind(testDatabaseKinds().filter((kind) => kind !== 'sqlite'))(
  'runOnStartup with %s instances starting at once',
  (kind) => {
    let database: TestDatabase;
    let probe: DatabaseProbe;
    let migrations: string;
    let started: PromiseSettledResult<ChildApp>[] = [];

    beforeAll(async () => {
      database = await createTestDatabase(kind, 'mig_instances');
      probe = await openProbe(database.connectionString);
      migrations = mkdtempSync(join(tmpdir(), 'alchemy-instances-migration-'));
      writeMigration(migrations, kind);
      const script = join(__dirname, 'fixtures', 'migrating-instance.ts');
      started = await Promise.allSettled(
        Array.from({ length: INSTANCES }, () =>
          startChildApp(database.connectionString, { script, env: { MIGRATIONS: migrations } }),
        ),
      );
    }, 90_000);
    afterAll(async () => {
      for (const result of started) if (result.status === 'fulfilled' && result.value.isAlive()) result.value.kill();
      await probe?.close();
      await database?.drop();
      if (migrations) rmSync(migrations, { recursive: true, force: true });
    });

    it('all three start and serve', async () => {
      const failures = started.flatMap((result) => (result.status === 'rejected' ? [String(result.reason)] : []));
      expect(failures).toEqual([]);
      for (const result of started) {
        if (result.status !== 'fulfilled') continue;
        expect((await send(result.value.url, 'POST', '/rel/ok')).status).toBe(201);
      }
    });

    it('the migration was applied once', async () => {
      expect(await probe.count('migrations', undefined)).toBe(1);
      expect(await probe.count('once_applied')).toBe(1);
    });
  },
);
