import { createTestDatabase, testDatabaseKinds, type TestDatabase } from 'nestjs-advanced-alchemy/testing';
import { FIXTURE_ENV } from './fixtures/fixture-env';
import { createWorkspace, type MigrationWorkspace } from './support/migration-workspace';
import { describeRun } from './support/run-command';
import { listTables } from './support/schema-probe';
import { eachKind } from '../support/each-kind';

jest.setTimeout(60_000);

// `versionTableSchema` names a PostgreSQL schema or, on MariaDB, a database; SQLite has neither.
const kinds = testDatabaseKinds().filter((kind) => kind !== 'sqlite');

eachKind(kinds)('migrationConfig.versionTableSchema on %s', (kind) => {
  let workspace: MigrationWorkspace;
  let versions: TestDatabase | undefined;
  let schema: string;

  beforeAll(async () => {
    // On MariaDB the version table goes to a database of its own; PostgreSQL creates the schema.
    versions = kind === 'mariadb' ? await createTestDatabase(kind, 'mig_versions') : undefined;
    schema = versions ? decodeURIComponent(new URL(versions.connectionString).pathname.slice(1)) : 'mig_meta';
    workspace = await createWorkspace(kind, 'mig_schema', { [FIXTURE_ENV.versionSchema]: schema });
  });
  afterAll(async () => {
    await workspace?.dispose();
    await versions?.drop();
  });

  async function recorded(): Promise<string[]> {
    const probe = await workspace.probe();
    const quote = kind === 'mariadb' ? '`' : '"';
    const rows = await probe.query<{ name: string }>(
      `SELECT name FROM ${quote}${schema}${quote}.${quote}migrations${quote} ORDER BY id`,
    );
    return rows.map((row) => row.name);
  }

  it('records applied migrations in the version table of that schema', async () => {
    for (const args of [['make-migrations', '-m', 'create library'], ['upgrade']]) {
      const result = await workspace.run('app-version-schema', ...args);
      expect({ code: result.code, output: describeRun(result) }).toMatchObject({ code: 0 });
    }
    expect(await recorded()).toEqual([expect.stringMatching(/^CreateLibrary\d{13}$/)]);
    expect(await listTables(await workspace.probe())).toEqual(['mig_authors', 'mig_books']);
    const history = await workspace.run('app-version-schema', 'history');
    expect(history.stdout).toMatch(/\[X\] CreateLibrary\d{13} \(head, current\)/);
  });

  it('downgrade removes the record from there', async () => {
    const result = await workspace.run('app-version-schema', 'downgrade', '--no-prompt');
    expect({ code: result.code, output: describeRun(result) }).toMatchObject({ code: 0 });
    expect(await recorded()).toEqual([]);
    expect(await listTables(await workspace.probe())).toEqual([]);
  });
});
