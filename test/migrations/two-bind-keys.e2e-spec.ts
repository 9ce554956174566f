import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createTestDatabase,
  openProbe,
  testDatabaseKinds,
  type DatabaseProbe,
  type TestDatabase,
} from 'nestjs-advanced-alchemy/testing';
import { FIXTURE_ENV } from './fixtures/fixture-env';
import { createWorkspace, type MigrationWorkspace } from './support/migration-workspace';
import { describeRun } from './support/run-command';
import { listTables, recordedRevisions } from './support/schema-probe';

jest.setTimeout(60_000);

const LIBRARY_TABLES = ['mig_authors', 'mig_books', 'migrations'];
const ARCHIVE_TABLES = ['archive_notes', 'archive_versions'];

describe.each(testDatabaseKinds())('two bind keys on two %s databases', (kind) => {
  let workspace: MigrationWorkspace;
  let archive: TestDatabase;
  let library: DatabaseProbe;
  let archived: DatabaseProbe;

  beforeAll(async () => {
    archive = await createTestDatabase(kind, 'mig_archive');
    workspace = await createWorkspace(kind, 'mig_library', { [FIXTURE_ENV.archiveUrl]: archive.connectionString });
  });
  afterAll(async () => {
    await archived?.close();
    await workspace?.dispose();
    await archive?.drop();
  });

  async function expectSuccess(...args: string[]): Promise<string> {
    const result = await workspace.run('app-two-binds', ...args);
    expect({ code: result.code, output: describeRun(result) }).toMatchObject({ code: 0 });
    return result.stdout;
  }

  it('init and upgrade work on every bind key; make-migrations on the one it names', async () => {
    await expectSuccess('init');
    await expectSuccess('make-migrations', '-m', 'library');
    await expectSuccess('make-migrations', '-m', 'archive', '--bind-key', 'archive');
    expect(workspace.migrationFiles('default')).toHaveLength(1);
    const [archiveFile] = workspace.migrationFiles('archive');
    const source = readFileSync(join(workspace.migrationsDirectory('archive'), archiveFile), 'utf8');
    expect(source).toMatch(/archive_notes/);
    expect(source).not.toMatch(/mig_books/);

    await expectSuccess('upgrade');
    library = await workspace.probe();
    archived = await openProbe(archive.connectionString);
    expect(await listTables(library)).toEqual(LIBRARY_TABLES);
    expect(await listTables(archived)).toEqual(ARCHIVE_TABLES);
    expect(await recordedRevisions(library)).toEqual([expect.stringMatching(/^Library\d{13}$/)]);
    expect(await recordedRevisions(archived, 'archive_versions')).toEqual([expect.stringMatching(/^Archive\d{13}$/)]);
  });

  it('downgrade and upgrade of one bind key leave the other alone', async () => {
    await library.query("INSERT INTO mig_authors (name) VALUES ('Ann')");
    await expectSuccess('downgrade', '--bind-key', 'archive', '--no-prompt');
    expect(await listTables(archived)).toEqual(['archive_versions']);
    expect(await listTables(library)).toEqual(LIBRARY_TABLES);
    expect(await library.count('mig_authors')).toBe(1);
    await expectSuccess('upgrade', '--bind-key', 'archive');
    expect(await listTables(archived)).toEqual(ARCHIVE_TABLES);
  });

  it('dump-data writes each bind key into its own directory', async () => {
    await archived.query("INSERT INTO archive_notes (text) VALUES ('kept'), ('also kept')");
    await expectSuccess('dump-data', '--table', '*', '--dir', join(workspace.directory, 'fixtures'));
    expect(readdirSync(join(workspace.directory, 'fixtures', 'default')).sort()).toEqual([
      'mig_authors.json',
      'mig_books.json',
    ]);
    expect(readdirSync(join(workspace.directory, 'fixtures', 'archive'))).toEqual(['archive_notes.json']);
    // A table named explicitly is dumped from the bind key that has it.
    await expectSuccess('dump-data', '--table', 'archive_notes', '--dir', join(workspace.directory, 'only'));
    expect(readdirSync(join(workspace.directory, 'only'))).toEqual(['archive']);
  });

  it('drop-all and load-data of one bind key touch only its database', async () => {
    await expectSuccess('drop-all', '--bind-key', 'archive', '--no-prompt');
    expect(await listTables(archived)).toEqual([]);
    expect(await listTables(library)).toEqual(LIBRARY_TABLES);
    await expectSuccess('upgrade', '--bind-key', 'archive');
    await expectSuccess(
      'load-data',
      '--bind-key',
      'archive',
      '--no-prompt',
      '--dir',
      join(workspace.directory, 'fixtures'),
    );
    expect(await archived.count('archive_notes')).toBe(2);
    expect(await library.count('mig_authors')).toBe(1);
  });

  it('drop-all without --bind-key empties both databases', async () => {
    const stdout = await expectSuccess('drop-all', '--no-prompt');
    expect(stdout).toMatch(/\[default\] Dropped 3 table/);
    expect(stdout).toMatch(/\[archive\] Dropped 2 table/);
    expect(await listTables(library)).toEqual([]);
    expect(await listTables(archived)).toEqual([]);
  });

  it('an unknown bind key is named, with exit code 1', async () => {
    const result = await workspace.run('app-two-binds', 'upgrade', '--bind-key', 'nope');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('No config found for bind key: nope');
    expect(await listTables(library)).toEqual([]);
  });
});
