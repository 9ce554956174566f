import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testDatabaseKinds } from 'nestjs-advanced-alchemy/testing';
import { FIXTURE_ENV } from '../migrations/fixtures/fixture-env';
import { buildCompiledCopy, type CompiledBuild } from '../migrations/support/compiled-build';
import { createWorkspace, type MigrationWorkspace } from '../migrations/support/migration-workspace';
import {
  BIN_SOURCE,
  FIXTURES,
  TYPESCRIPT_ENV,
  describeRun,
  runBinFromSource,
  runNode,
  typescriptNodeArgs,
  type CommandResult,
} from '../migrations/support/run-command';
import { freePort } from '../support/free-port';

jest.setTimeout(180_000);

const APP_V1 = join(FIXTURES, 'app-v1.module.ts');
const PASSWORD = 'doctor-secret-pw';

/** The lines `doctor` printed with the given mark (`ok`, `warn`, `FAIL`) and subject. */
function line(result: CommandResult, mark: string, subject: string): string | undefined {
  return result.stdout.split('\n').find((text) => text.startsWith(mark) && text.includes(subject));
}

/** The fix printed under the first line with `subject`. */
function fixOf(result: CommandResult, subject: string): string {
  const lines = result.stdout.split('\n');
  const at = lines.findIndex((text) => text.includes(subject));
  return at >= 0 && lines[at + 1]?.trim().startsWith('fix:') ? lines[at + 1] : '';
}

// Before: `nestjs-advanced-alchemy doctor` did not exist (`error: unknown command 'doctor'`, exit 2).
describe.each(testDatabaseKinds())('doctor on %s', (kind) => {
  let workspace: MigrationWorkspace;
  const doctor = (): Promise<CommandResult> => runBinFromSource(['doctor', '--app', APP_V1], workspace.env);

  beforeAll(async () => {
    workspace = await createWorkspace(kind, 'doctor');
    // PostgreSQL here trusts every local user: a password in the URL is sent to no one, and must not be printed.
    if (kind === 'postgres') {
      const url = workspace.database.connectionString.replace('postgres@', `postgres:${PASSWORD}@`);
      workspace.env[FIXTURE_ENV.databaseUrl] = url;
    }
  });
  afterAll(async () => {
    await workspace?.dispose();
  });

  it('tables missing: a FAIL line names them and make-migrations, exit 1', async () => {
    const result = await doctor();
    expect(result.code).toBe(1);
    expect(line(result, 'ok', 'Node')).toBeDefined();
    expect(line(result, 'ok', '[default] database')).toContain(kind);
    expect(line(result, 'FAIL', '[default] schema')).toContain('mig_authors');
    expect(fixOf(result, '[default] schema')).toContain('db make-migrations');
    expect(result.stderr).toContain('1 problem(s) block the application');
    expect(result.stdout + result.stderr).not.toContain(PASSWORD);
  });

  it('a migration made and not applied: a FAIL line names it and upgrade, exit 1', async () => {
    const made = await workspace.run('app-v1', 'make-migrations', '-m', 'initial');
    expect(made.code).toBe(0);
    const result = await doctor();
    expect(result.code).toBe(1);
    expect(line(result, 'FAIL', '[default] schema')).toMatch(/1 migration\(s\) not applied \(\d{13}-initial/);
    expect(fixOf(result, '[default] schema')).toContain(`db upgrade --app ${APP_V1}`);
  });

  it('upgraded: no FAIL, the unstated commitMode a warning with its fix, exit 0', async () => {
    const upgraded = await workspace.run('app-v1', 'upgrade');
    expect(upgraded.code).toBe(0);
    const result = await doctor();
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('FAIL');
    expect(line(result, 'ok', '[default] schema')).toContain('every migration applied');
    expect(line(result, 'ok', kind === 'sqlite' ? 'better-sqlite3' : 'driver')).toBeDefined();
    expect(line(result, 'warn', '[default] commitMode')).toContain('not stated');
    expect(fixOf(result, '[default] commitMode')).toContain("commitMode: 'autocommit'");
    expect(result.stdout).toContain('No problem blocks; 1 warning(s) above.');
    expect(result.stdout + result.stderr).not.toContain(PASSWORD);
  });
});

describe('doctor: problems before the database', () => {
  let project: string;

  beforeAll(() => {
    project = mkdtempSync(join(tmpdir(), 'alchemy-doctor-'));
  });
  afterAll(() => {
    rmSync(project, { recursive: true, force: true });
  });

  it('a database that does not answer: a FAIL line per bind key, the password hidden, exit 1', async () => {
    const port = await freePort();
    const url = `postgresql://postgres:${PASSWORD}@127.0.0.1:${port}/nothing_here`;
    const result = await runBinFromSource(['doctor', '--app', APP_V1], {
      [FIXTURE_ENV.databaseUrl]: url,
      [FIXTURE_ENV.migrationsDir]: join(project, 'migrations'),
    });
    expect(result.code).toBe(1);
    expect(line(result, 'FAIL', '[default] database')).toContain(`postgresql://postgres:***@127.0.0.1:${port}`);
    expect(fixOf(result, '[default] database')).toContain('start the postgres server');
    // The boot failed on that database: said once, on the bind key's line.
    expect(line(result, 'FAIL', 'application')).toBeUndefined();
    expect(result.stdout + result.stderr).not.toContain(PASSWORD);
  });

  it('commitMode stated: an ok line', async () => {
    const workspace = await createWorkspace('sqlite', 'doctor_stated');
    try {
      const result = await runBinFromSource(
        ['doctor', '--app', join(FIXTURES, 'app-default-layout.module.ts')],
        workspace.env,
      );
      expect(line(result, 'ok', '[default] commitMode')).toContain('autocommit (stated)');
    } finally {
      await workspace.dispose();
    }
  });

  it('the driver of a configured database not installed in the project: FAIL with the install line', async () => {
    // Run from a project directory with no node_modules: the drivers are looked up where the user runs the command.
    const result = await runNode(
      [...typescriptNodeArgs(), BIN_SOURCE, 'doctor', '--app', APP_V1],
      {
        ...TYPESCRIPT_ENV,
        [FIXTURE_ENV.databaseUrl]: `postgresql://postgres@127.0.0.1:${await freePort()}/x`,
        [FIXTURE_ENV.migrationsDir]: join(project, 'migrations'),
      },
      project,
    );
    expect(result.code).toBe(1);
    expect(line(result, 'FAIL', 'driver pg')).toContain('not installed, and a bind key is postgres');
    expect(fixOf(result, 'driver pg')).toContain('npm install pg');
  });

  it('without --app: the environment is checked, and a FAIL line says how to name the application', async () => {
    const result = await runBinFromSource(['doctor'], {});
    expect(result.code).toBe(1);
    expect(line(result, 'ok', 'Node')).toBeDefined();
    expect(fixOf(result, 'application')).toContain('doctor --app src/app.module.ts');
  });

  describe('an ES module project in TypeScript without @swc-node/register', () => {
    let build: CompiledBuild;
    beforeAll(() => {
      build = buildCompiledCopy();
    });
    afterAll(() => build?.dispose());

    it('FAIL on the module system line, naming the packages to install; the app is not booted', async () => {
      writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'esm-app', type: 'module' }));
      writeFileSync(join(project, 'app.module.ts'), 'export class AppModule {}\n');
      // The compiled command line, as `npx nestjs-advanced-alchemy` runs it: no loader of the test's.
      const result = await runNode([build.path('src/cli/bin.ts'), 'doctor', '--app', 'app.module.ts'], {}, project);
      expect(result.code).toBe(1);
      expect(line(result, 'FAIL', 'module system')).toContain('ES module in TypeScript');
      expect(fixOf(result, 'module system')).toContain('npm install --save-dev @swc-node/register @swc/core');
      expect(result.stdout).not.toContain('application');
      expect(describeRun(result)).not.toContain('Cannot find module');
    });
  });
});
