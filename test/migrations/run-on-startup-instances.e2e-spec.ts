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
import { isAcknowledged, runLoad, send } from '../reliability/fixtures/http-load';
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

/** The server connections of the other clients of the probe's database (the probe's own excluded). */
async function serverConnections(probe: DatabaseProbe, kind: string): Promise<number> {
  const sql =
    kind === 'postgres'
      ? 'SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()'
      : 'SELECT count(*) AS n FROM information_schema.processlist WHERE db = DATABASE() AND id <> CONNECTION_ID()';
  return Number((await probe.query<{ n: string | number }>(sql))[0].n);
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

    it('under load, the three hold at most 3 × poolSize (10) server connections', async () => {
      const urls = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value.url] : []));
      expect(urls).toHaveLength(INSTANCES);
      let most = 0;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          most = Math.max(most, await serverConnections(probe, kind));
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();
      const answers = await Promise.all(
        urls.map((base) => runLoad(150, { base, concurrency: 30, routeOf: () => '/rel/ok' })),
      );
      sampling = false;
      await sampler;
      expect(answers.flat().filter((answer) => !isAcknowledged(answer))).toEqual([]);
      if (process.env.SHOW_CONNECTIONS) process.stdout.write(`${kind}: at most ${most} server connections\n`);
      expect(most).toBeLessThanOrEqual(INSTANCES * 10);
    });

    it('the migration was applied once', async () => {
      expect(await probe.count('migrations', undefined)).toBe(1);
      expect(await probe.count('once_applied')).toBe(1);
    });
  },
);
