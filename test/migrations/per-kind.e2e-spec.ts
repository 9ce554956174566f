import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AdvancedAlchemyModule } from 'nestjs-advanced-alchemy';
import { testDatabaseKinds, type DatabaseProbe } from 'nestjs-advanced-alchemy/testing';
import { Author, Book } from './fixtures/library-v1.entities';
import { createWorkspace, type MigrationWorkspace } from './support/migration-workspace';
import {
  BIN_SOURCE,
  FIXTURES,
  TYPESCRIPT_ENV,
  describeRun,
  runNode,
  typescriptNodeArgs,
  type CommandResult,
} from './support/run-command';
import { listTables, recordedRevisions } from './support/schema-probe';

jest.setTimeout(300_000);

/** What running the application with `createAll: true` leaves: the tables, and no migration. */
async function startWithCreateAll(connectionString: string): Promise<void> {
  @Module({
    imports: [AdvancedAlchemyModule.forRoot({ connectionString, entities: [Author, Book], createAll: true })],
  })
  class CreateAllModule {}
  const app = await NestFactory.createApplicationContext(CreateAllModule, { logger: false });
  await app.close();
}

const OTHER_KIND = { sqlite: 'postgres', postgres: 'sqlite', mariadb: 'postgres' } as const;

/** A migration recorded as made for `kind`, whose SQL would not matter: it must be refused before it runs. */
function foreignMigration(kind: string): string {
  return `'use strict';
class MadeElsewhere1700000000001 {
  name = 'MadeElsewhere1700000000001';
  databaseKind = '${kind}';
  async up(queryRunner) {
    await queryRunner.query('CREATE TABLE made_elsewhere (id integer)');
  }
  async down(queryRunner) {
    await queryRunner.query('DROP TABLE made_elsewhere');
  }
}
module.exports = { MadeElsewhere1700000000001 };
`;
}

// Migrations are SQL of one kind of database: made on SQLite (the quick start's), they break on
// PostgreSQL (`type "datetime" does not exist`). So each kind keeps its own folder by default, a
// migration records the kind it was made for, and the commands never send the user round in a circle.
describe.each(testDatabaseKinds())('migrations per kind of database, on %s', (kind) => {
  let workspace: MigrationWorkspace;
  let opened: DatabaseProbe | undefined;
  /** Opened after the first command: it creates the SQLite file. */
  const probe = async (): Promise<DatabaseProbe> => (opened ??= await workspace.probe());

  /**
   * The bin with the app that sets no scriptLocation, run in the workspace directory (a project
   * without tsconfig); typescriptNodeArgs gives the loader by its path, as that directory has no
   * node_modules.
   */
  const run = (env: NodeJS.ProcessEnv, ...args: string[]): Promise<CommandResult> =>
    runNode(
      [
        ...typescriptNodeArgs(),
        BIN_SOURCE,
        'database',
        ...args,
        '--app',
        join(FIXTURES, 'app-default-layout.module.ts'),
      ],
      { ...TYPESCRIPT_ENV, ...workspace.env, ...env },
      workspace.directory,
    );

  beforeEach(async () => {
    workspace = await createWorkspace(kind, 'mig_per_kind');
    opened = undefined;
  });
  afterEach(async () => {
    await workspace?.dispose();
  });

  it('make-migrations writes into the folder of the kind, records the kind in the file; upgrade reads it', async () => {
    const made = await run({}, 'make-migrations', '-m', 'create library');
    expect(made.code).toBe(0);
    const folder = join(workspace.directory, 'migrations', 'default', kind);
    const [file, ...others] = readdirSync(folder);
    expect(others).toEqual([]);
    expect(readFileSync(join(folder, file), 'utf8')).toContain(`databaseKind = '${kind}';`);
    const upgraded = await run({}, 'upgrade');
    expect(upgraded.code).toBe(0);
    expect(await listTables(await probe())).toEqual(expect.arrayContaining(['mig_authors', 'mig_books']));
  });

  it('a migration made for another kind is refused, naming both kinds and the command that makes the right one', async () => {
    const other = OTHER_KIND[kind];
    const folder = join(workspace.directory, 'migrations', 'default', kind);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, '1700000000001-made-elsewhere.js'), foreignMigration(other));
    const result = await run({}, 'upgrade');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`was made for ${other}, and this database is ${kind}`);
    expect(result.stderr).toContain('db make-migrations');
    expect(await listTables(await probe())).not.toContain('made_elsewhere');
  });

  it('check names upgrade first when migrations are pending, so make-migrations (which needs that) is not a circle', async () => {
    expect((await run({}, 'make-migrations', '-m', 'create library')).code).toBe(0);
    // The entities moved on (v2) while the first migration is still pending.
    const v2 = { MIGRATIONS_TEST_SCHEMA: 'v2' };
    const checked = await run(v2, 'check');
    expect(checked.code).toBe(1);
    expect(checked.stderr).toContain('run upgrade first (pending: CreateLibrary');
    expect(checked.stderr).toContain('then make-migrations');
    const refused = await run(v2, 'make-migrations', '-m', 'version two');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Run upgrade first');
    // The step check named works, then the one after it.
    expect((await run(v2, 'upgrade')).code).toBe(0);
    const made = await run(v2, 'make-migrations', '-m', 'version two');
    expect(describeRun(made)).toContain('Generated');
    expect((await run(v2, 'upgrade')).code).toBe(0);
    expect((await run(v2, 'check')).code).toBe(0);
  });

  it('after createAll, make-migrations says the tables exist and how to start from them; --baseline does it', async () => {
    await startWithCreateAll(workspace.database.connectionString);
    const found = await run({}, 'make-migrations', '-m', 'initial');
    expect(found.code).toBe(0);
    expect(found.stdout).toContain('already exist');
    expect(found.stdout).toContain('make-migrations --baseline -m "initial"');
    expect(existsSync(join(workspace.directory, 'migrations', 'default', kind))).toBe(false);

    const baseline = await run({}, 'make-migrations', '--baseline', '-m', 'initial');
    expect(baseline.code).toBe(0);
    const [file] = readdirSync(join(workspace.directory, 'migrations', 'default', kind));
    const source = readFileSync(join(workspace.directory, 'migrations', 'default', kind, file), 'utf8');
    // MariaDB's backquotes are escaped in the file's template literals.
    expect(source).toMatch(/CREATE TABLE \\?[`"]?mig_authors/);
    expect(source).toMatch(/CREATE TABLE \\?[`"]?mig_books/);
    expect(await recordedRevisions(await probe())).toHaveLength(1);
    const upgraded = await run({}, 'upgrade');
    expect(upgraded.code).toBe(0);
    expect(upgraded.stdout).toContain('nothing to upgrade');
  });

  it('the baseline creates the same tables on an empty database of the kind', async () => {
    await startWithCreateAll(workspace.database.connectionString);
    const made = await run({}, 'make-migrations', '--baseline', '-m', 'initial');
    expect(made.code).toBe(0);
    const empty = await createWorkspace(kind, 'mig_per_kind_empty');
    try {
      const upgraded = await run({ MIGRATIONS_TEST_DATABASE_URL: empty.database.connectionString }, 'upgrade');
      expect(describeRun(upgraded)).toContain('applied 1 migration(s)');
      const emptyProbe = await empty.probe();
      expect(await listTables(emptyProbe)).toEqual(expect.arrayContaining(['mig_authors', 'mig_books']));
    } finally {
      await empty.dispose();
    }
  });
});
