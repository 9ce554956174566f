import { createTestDatabase, openProbe, testDatabaseKinds, type TestDatabase } from 'nestjs-advanced-alchemy/testing';
import { FIXTURE_ENV } from './fixtures/fixture-env';
import { createWorkspace, type MigrationWorkspace } from './support/migration-workspace';
import { describeRun } from './support/run-command';
import { listColumns, listTables, recordedRevisions } from './support/schema-probe';

jest.setTimeout(60_000);

describe.each(testDatabaseKinds())('migration files and --sql on %s', (kind) => {
  let workspace: MigrationWorkspace;
  let fresh: TestDatabase;
  let onFresh: NodeJS.ProcessEnv;

  beforeAll(async () => {
    workspace = await createWorkspace(kind, 'mig_source');
    fresh = await createTestDatabase(kind, 'mig_fresh');
    onFresh = { [FIXTURE_ENV.databaseUrl]: fresh.connectionString };
    const steps: [string, string[]][] = [
      ['app-v1', ['make-migrations', '-m', 'create library']],
      ['app-v1', ['upgrade']],
      ['app-v2', ['make-migrations', '-m', 'add isbn']],
    ];
    for (const [app, args] of steps) {
      const result = await workspace.run(app, ...args);
      if (result.code !== 0) throw new Error(describeRun(result));
    }
  });
  afterAll(async () => {
    await workspace?.dispose();
    await fresh?.drop();
  });

  it('upgrade --sql prints the statements and the version-table rows, and changes nothing', async () => {
    const result = await workspace.runWith(onFresh, 'app-v2', 'upgrade', '--sql');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/CREATE TABLE [`"]migrations[`"]/);
    expect(result.stdout).toMatch(/CREATE TABLE [`"]mig_books[`"]/);
    expect(result.stdout).toMatch(/isbn/);
    expect(result.stdout).toMatch(/INSERT INTO [`"]migrations[`"].*'CreateLibrary\d{13}'/);
    const probe = await openProbe(fresh.connectionString);
    try {
      expect(await listTables(probe)).toEqual([]);
    } finally {
      await probe.close();
    }
  });

  it('the files generated on one database run unchanged on a fresh one', async () => {
    const upgrade = await workspace.runWith(onFresh, 'app-v2', 'upgrade');
    expect(upgrade.code).toBe(0);
    const probe = await openProbe(fresh.connectionString);
    try {
      expect(await listTables(probe)).toEqual(['mig_authors', 'mig_books', 'migrations']);
      expect(await listColumns(probe, 'mig_books')).toContain('isbn');
      expect(await recordedRevisions(probe)).toEqual([
        expect.stringMatching(/^CreateLibrary\d{13}$/),
        expect.stringMatching(/^AddIsbn\d{13}$/),
      ]);
      // …and leave it exactly as the entities describe it.
      expect((await workspace.runWith(onFresh, 'app-v2', 'check')).code).toBe(0);
    } finally {
      await probe.close();
    }
  });

  it('downgrade --sql prints the reverting statements, needs no confirmation, and changes nothing', async () => {
    const result = await workspace.runWith(onFresh, 'app-v2', 'downgrade', 'base', '--sql');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/DROP TABLE [`"]mig_authors[`"]/);
    expect(result.stdout).toMatch(/DELETE FROM [`"]migrations[`"]/);
    const probe = await openProbe(fresh.connectionString);
    try {
      expect(await listTables(probe)).toEqual(['mig_authors', 'mig_books', 'migrations']);
      expect(await recordedRevisions(probe)).toHaveLength(2);
    } finally {
      await probe.close();
    }
  });
});
