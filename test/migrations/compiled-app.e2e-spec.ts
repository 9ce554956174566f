import { testDatabaseKinds, type DatabaseProbe } from 'nestjs-advanced-alchemy/testing';
import { buildCompiledCopy, type CompiledBuild } from './support/compiled-build';
import { createWorkspace, type MigrationWorkspace } from './support/migration-workspace';
import { describeRun, ROOT, runNode, type CommandResult } from './support/run-command';
import { listTables, recordedRevisions } from './support/schema-probe';

jest.setTimeout(90_000);

const FIXTURES = 'test/migrations/fixtures';
const TYPEORM_CLI = require.resolve('typeorm/cli.js', { paths: [ROOT] });

// After `nest build`: the bin, the two-line cli.js and the TypeORM CLI, all on compiled JavaScript
// and plain node (no ts-node in the process).
let build: CompiledBuild;
beforeAll(() => {
  build = buildCompiledCopy();
});
afterAll(() => build?.dispose());

describe.each(testDatabaseKinds())('the compiled application on %s', (kind) => {
  let workspace: MigrationWorkspace;
  let probe: DatabaseProbe;
  let revision: string;

  beforeAll(async () => {
    workspace = await createWorkspace(kind, 'mig_compiled');
  });
  afterAll(async () => {
    await workspace?.dispose();
  });

  const app = () => build.path(`${FIXTURES}/app-v1.module.ts`);
  const bin = (...args: string[]) =>
    runNode([build.path('src/cli/bin.ts'), 'database', ...args, '--app', app()], workspace.env);
  const cli = (...args: string[]) => runNode([build.path(`${FIXTURES}/cli-v1.ts`), 'db', ...args], workspace.env);
  const typeorm = (command: string) =>
    runNode([TYPEORM_CLI, command, '-d', build.path(`${FIXTURES}/data-source.ts`)], workspace.env);

  function expectSuccess(result: CommandResult): CommandResult {
    expect({ code: result.code, output: describeRun(result) }).toMatchObject({ code: 0 });
    return result;
  }

  it('the bin writes JavaScript migrations and applies them', async () => {
    expectSuccess(await bin('make-migrations', '-m', 'create library'));
    const files = workspace.migrationFiles();
    expect(files).toEqual([expect.stringMatching(/^\d{13}-create-library\.js$/)]);
    expectSuccess(await bin('upgrade'));
    probe = await workspace.probe();
    expect(await listTables(probe)).toEqual(['mig_authors', 'mig_books', 'migrations']);
    [revision] = await recordedRevisions(probe);
    expect(revision).toMatch(/^CreateLibrary\d{13}$/);
  });

  it('the two-line cli.js works the same', async () => {
    expect(expectSuccess(await cli('show-current-revision')).stdout.trim()).toBe(revision);
    expectSuccess(await cli('downgrade', '--no-prompt'));
    expect(await listTables(probe)).toEqual(['migrations']);
    expect(await recordedRevisions(probe)).toEqual([]);
  });

  it("the TypeORM CLI runs the bind key's migrations through data-source.js, on the same history", async () => {
    expect(expectSuccess(await typeorm('migration:show')).stdout).toContain(`[ ] ${revision}`);
    expectSuccess(await typeorm('migration:run'));
    expect(await listTables(probe)).toEqual(['mig_authors', 'mig_books', 'migrations']);
    expect(await recordedRevisions(probe)).toEqual([revision]);
    expect(expectSuccess(await cli('show-current-revision')).stdout.trim()).toBe(revision);
    expectSuccess(await typeorm('migration:revert'));
    expect(await listTables(probe)).toEqual(['migrations']);
  });
});
