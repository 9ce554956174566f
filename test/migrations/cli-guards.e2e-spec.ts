import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testDatabaseKinds, type DatabaseProbe } from 'nestjs-advanced-alchemy/testing';
import { createWorkspace, type MigrationWorkspace } from './support/migration-workspace';
import { describeRun, runBinFromSource } from './support/run-command';
import { listTables, recordedRevisions } from './support/schema-probe';

jest.setTimeout(60_000);

const LIBRARY_TABLES = ['mig_authors', 'mig_books', 'migrations'];

/** A hand-written migration whose `up` fails half-way. */
const BROKEN_MIGRATION = `'use strict';
class Broken1999999999999 {
  name = 'Broken1999999999999';
  async up(queryRunner) {
    await queryRunner.query('CREATE TABLE mig_partial (id integer)');
    await queryRunner.query('THIS IS NOT SQL');
  }
  async down() {}
}
module.exports = { Broken1999999999999 };
`;

describe.each(testDatabaseKinds())('what the command line refuses or reports on %s', (kind) => {
  let workspace: MigrationWorkspace;
  let probe: DatabaseProbe;
  let revisions: string[];

  beforeAll(async () => {
    workspace = await createWorkspace(kind, 'mig_guards');
    for (const args of [['make-migrations', '-m', 'create library'], ['upgrade']]) {
      const result = await workspace.run('app-v1', ...args);
      if (result.code !== 0) throw new Error(describeRun(result));
    }
    probe = await workspace.probe();
    revisions = await recordedRevisions(probe);
    await probe.query("INSERT INTO mig_authors (name) VALUES ('Ann')");
  });
  afterAll(async () => {
    await workspace?.dispose();
  });

  it('destructive commands refuse with exit 2 when there is no terminal to confirm on', async () => {
    const fixtures = join(workspace.directory, 'fixtures');
    mkdirSync(join(fixtures, 'default'), { recursive: true });
    writeFileSync(join(fixtures, 'default', 'mig_authors.json'), JSON.stringify([{ id: 7, name: 'Eve' }]));
    const commands = [['drop-all'], ['downgrade'], ['stamp', 'base'], ['load-data', '--dir', fixtures]];
    for (const args of commands) {
      const result = await workspace.run('app-v1', ...args);
      expect({ args, code: result.code }).toEqual({ args, code: 2 });
      expect(result.stderr).toContain(`Refusing to run ${args[0]} without confirmation`);
      expect(result.stderr).toContain('--no-prompt');
    }
    expect(await listTables(probe)).toEqual(LIBRARY_TABLES);
    expect(await recordedRevisions(probe)).toEqual(revisions);
    expect(await probe.count('mig_authors')).toBe(1);
  });

  it('a bind key no config has is named, with exit code 1', async () => {
    const result = await workspace.run('app-v1', 'history', '--bind-key', 'nope');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('No config found for bind key: nope');
  });

  it('usage errors exit 2', async () => {
    const withoutMessage = await workspace.run('app-v1', 'make-migrations');
    expect(withoutMessage.code).toBe(2);
    expect(withoutMessage.stderr).toContain("required option '-m, --message <message>'");
    expect((await workspace.run('app-v1', 'no-such-command')).code).toBe(2);
    const withoutApp = await runBinFromSource(['database', 'history'], workspace.env);
    expect(withoutApp.code).toBe(2);
    expect(withoutApp.stderr).toContain('--app');
  });

  it('an unknown revision is named with its bind key, with exit code 1', async () => {
    const result = await workspace.run('app-v1', 'upgrade', 'NoSuchRevision');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Bind key "default": unknown revision "NoSuchRevision"');
  });

  it('a failing migration is named with its bind key and is not recorded', async () => {
    writeFileSync(join(workspace.migrationsDirectory(), '1999999999999-broken.js'), BROKEN_MIGRATION);
    const result = await workspace.run('app-v1', 'upgrade');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Bind key "default": applying migration Broken1999999999999 failed');
    expect(await recordedRevisions(probe)).toEqual(revisions);
    // Each migration runs in a transaction: where DDL is transactional, its first statement is undone too.
    if (kind !== 'mariadb') expect(await listTables(probe)).toEqual(LIBRARY_TABLES);
  });
});
