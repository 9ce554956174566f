import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { testDatabaseKinds, type DatabaseProbe } from 'nestjs-advanced-alchemy/testing';
import { createWorkspace, type MigrationWorkspace } from './support/migration-workspace';
import { describeRun, FIXTURES, runTypescriptScript } from './support/run-command';
import { listColumns, listTables, recordedRevisions } from './support/schema-probe';

// Every step runs the real command line in a child process, on the same database, in order.
jest.setTimeout(60_000);

describe.each(testDatabaseKinds())('the database command line on %s', (kind) => {
  let workspace: MigrationWorkspace;
  let probe: DatabaseProbe;
  const revisions: string[] = [];

  beforeAll(async () => {
    workspace = await createWorkspace(kind, 'mig_lifecycle');
  });
  afterAll(async () => {
    await workspace?.dispose();
  });

  async function expectSuccess(app: string, ...args: string[]): Promise<string> {
    const result = await workspace.run(app, ...args);
    expect({ code: result.code, output: describeRun(result) }).toMatchObject({ code: 0 });
    return result.stdout;
  }

  it('init creates the migrations directory with its template', async () => {
    await expectSuccess('app-v1', 'init');
    expect(readdirSync(workspace.migrationsDirectory())).toEqual(['migration.ts.template']);
  });

  it('make-migrations writes a migration that creates the tables', async () => {
    const stdout = await expectSuccess('app-v1', 'make-migrations', '-m', 'create library');
    const [file] = workspace.migrationFiles();
    expect(file).toMatch(/^\d{13}-create-library\.ts$/);
    const source = readFileSync(join(workspace.migrationsDirectory(), file), 'utf8');
    // MariaDB's backticks are escaped in the template literals of the file.
    expect(source).toMatch(/CREATE TABLE \\?[`"]mig_authors\\?[`"]/);
    expect(source).toMatch(/CREATE TABLE \\?[`"]mig_books\\?[`"]/);
    revisions.push(/export class (\w+)/.exec(source)?.[1] as string);
    expect(stdout).toContain(revisions[0]);
  });

  it('upgrade creates the tables and records the revision in the version table', async () => {
    await expectSuccess('app-v1', 'upgrade');
    probe = await workspace.probe();
    expect(await listTables(probe)).toEqual(['migrations', 'mig_authors', 'mig_books'].sort());
    expect(await recordedRevisions(probe)).toEqual(revisions);
    await probe.query("INSERT INTO mig_authors (name, status) VALUES ('Ann', 'active'), ('Bob', 'retired')");
    await probe.query("INSERT INTO mig_books (title, author_id) VALUES ('First', 1), ('Second', 2), ('Third', 1)");
  });

  it('check passes while the entities match the database, and fails once an entity changed', async () => {
    expect((await workspace.run('app-v1', 'check')).code).toBe(0);
    const changed = await workspace.run('app-v2', 'check');
    expect(changed.code).toBe(1);
    expect(changed.stdout).toMatch(/isbn/);
  });

  it('make-migrations --check exits 1 without writing a file while changes are pending', async () => {
    const result = await workspace.run('app-v2', 'make-migrations', '-m', 'not written', '--check');
    expect(result.code).toBe(1);
    expect(workspace.migrationFiles()).toHaveLength(1);
  });

  it('make-migrations writes the added column; check then counts it as covered', async () => {
    await expectSuccess('app-v2', 'make-migrations', '-m', 'add isbn');
    const added = workspace.migrationFiles().find((file) => file.endsWith('-add-isbn.ts')) as string;
    const source = readFileSync(join(workspace.migrationsDirectory(), added), 'utf8');
    expect(source).toMatch(/isbn/);
    revisions.push(/export class (\w+)/.exec(source)?.[1] as string);
    expect((await workspace.run('app-v2', 'check')).code).toBe(0);
  });

  it('upgrade adds the column and keeps the rows', async () => {
    await expectSuccess('app-v2', 'upgrade');
    expect(await listColumns(probe, 'mig_books')).toContain('isbn');
    expect(await recordedRevisions(probe)).toEqual(revisions);
    expect(await probe.count('mig_books')).toBe(3);
    const empty = await workspace.run('app-v2', 'make-migrations', '-m', 'nothing');
    expect(empty.stdout).toMatch(/No changes/);
    expect(workspace.migrationFiles()).toHaveLength(2);
  });

  it('the two-line cli.ts reports the same history and current revision', async () => {
    const history = await runTypescriptScript(join(FIXTURES, 'cli-v2.ts'), ['db', 'history'], workspace.env);
    expect(history.code).toBe(0);
    expect(history.stdout).toContain(`[X] ${revisions[0]}`);
    expect(history.stdout).toContain(`[X] ${revisions[1]} (head, current)`);
    const current = await runTypescriptScript(
      join(FIXTURES, 'cli-v2.ts'),
      ['db', 'show-current-revision'],
      workspace.env,
    );
    expect(current.stdout.trim()).toBe(revisions[1]);
  });

  it('downgrade reverts the last migration: the column is gone, the rows stay', async () => {
    await expectSuccess('app-v2', 'downgrade', '--no-prompt');
    expect(await listColumns(probe, 'mig_books')).not.toContain('isbn');
    expect(await recordedRevisions(probe)).toEqual([revisions[0]]);
    expect(await probe.count('mig_books')).toBe(3);
  });

  it('stamp records a revision without running it', async () => {
    await expectSuccess('app-v2', 'stamp', 'head', '--no-prompt');
    expect(await recordedRevisions(probe)).toEqual(revisions);
    expect(await listColumns(probe, 'mig_books')).not.toContain('isbn');
    await expectSuccess('app-v2', 'stamp', revisions[0], '--no-prompt');
    expect(await recordedRevisions(probe)).toEqual([revisions[0]]);
    await expectSuccess('app-v2', 'upgrade');
    expect(await listColumns(probe, 'mig_books')).toContain('isbn');
  });

  it('dump-data writes one JSON file per table', async () => {
    await probe.query("UPDATE mig_books SET isbn = '978-0' WHERE title = 'First'");
    await expectSuccess('app-v2', 'dump-data', '--table', '*', '--dir', join(workspace.directory, 'fixtures'));
    const dumped = join(workspace.directory, 'fixtures', 'default');
    expect(readdirSync(dumped).sort()).toEqual(['mig_authors.json', 'mig_books.json']);
    const books = JSON.parse(readFileSync(join(dumped, 'mig_books.json'), 'utf8')) as Record<string, unknown>[];
    expect(books.map((book) => [book.title, book.isbn, book.author_id])).toEqual([
      ['First', '978-0', 1],
      ['Second', null, 2],
      ['Third', null, 1],
    ]);
    expect(books[0].created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('drop-all drops every table and the version table', async () => {
    await expectSuccess('app-v2', 'drop-all', '--no-prompt');
    expect(await listTables(probe)).toEqual([]);
  });

  it('load-data puts the rows back once upgrade has recreated the tables', async () => {
    await expectSuccess('app-v2', 'upgrade');
    expect(await probe.count('mig_books')).toBe(0);
    await expectSuccess('app-v2', 'load-data', '--no-prompt', '--dir', join(workspace.directory, 'fixtures'));
    expect(await probe.count('mig_authors')).toBe(2);
    expect(await probe.count('mig_books', 'isbn = ?', ['978-0'])).toBe(1);
    expect(await probe.count('mig_books', 'author_id = ?', [1])).toBe(2);
    // Dumped again, the rows are what they were, timestamps included.
    await expectSuccess('app-v2', 'dump-data', '--table', '*', '--dir', join(workspace.directory, 'again'));
    for (const file of ['mig_authors.json', 'mig_books.json']) {
      expect(readFileSync(join(workspace.directory, 'again', 'default', file), 'utf8')).toBe(
        readFileSync(join(workspace.directory, 'fixtures', 'default', file), 'utf8'),
      );
    }
    // New rows get ids after the loaded ones (PostgreSQL's sequence was moved past them).
    await probe.query("INSERT INTO mig_authors (name, status) VALUES ('Cy', 'active')");
    expect(await probe.count('mig_authors', 'id = ?', [3])).toBe(1);
  });
});
