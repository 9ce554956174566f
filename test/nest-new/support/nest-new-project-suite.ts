import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestDatabase, openProbe, testDatabaseKinds, type TestDatabase } from 'nestjs-advanced-alchemy/testing';
import { describeRun, type CommandResult } from '../../migrations/support/run-command';
import { packLibrary } from '../../package/packed-library';
import { prepareFixtureProject, startBuiltApp, type FixtureProject } from './fixture-project';

// The two projects `nest new` makes (Nest 12): an ES module one tested with Vitest, and a CommonJS
// one tested with Jest. Each gets the packed library installed from its tarball, as a user gets it,
// and is driven through its own tools: nest build, node dist/main.js, the library's bin, the
// TypeORM CLI, and its own test runner. One spec file per project, so that they run side by side.

export interface ProjectCase {
  name: string;
  /** How the TypeORM CLI runs on the TypeScript sources of this module system. */
  typescriptNodeArgs: string[];
  /** The project's own e2e command, and why it cannot run on this Node when it cannot. */
  ownTests: { args: string[]; unsupported?: string };
}

const [major, minor] = process.versions.node.split('.').map(Number);
export const PROJECTS: Record<'esm' | 'cjs', ProjectCase> = {
  esm: {
    name: 'nest-new-esm',
    typescriptNodeArgs: ['--import', '@swc-node/register/esm-register'],
    ownTests: { args: ['node_modules/vitest/vitest.mjs', 'run', '--config', './vitest.config.e2e.ts'] },
  },
  cjs: {
    name: 'nest-new-cjs',
    typescriptNodeArgs: ['-r', 'ts-node/register/transpile-only'],
    ownTests: {
      args: ['--experimental-vm-modules', 'node_modules/jest/bin/jest.js', '--config', './test/jest-e2e.json'],
      // Nest 12 ships ES modules only; Jest (without a transform of node_modules) loads them
      // through require(esm), which it supports from Node 24.9.
      unsupported:
        major > 24 || (major === 24 && minor >= 9)
          ? undefined
          : 'Jest needs Node 24.9+ for Nest 12 in a CommonJS project',
    },
  },
};

/** Fails with the command's whole output unless it exited 0. */
function expectSuccess(result: CommandResult): CommandResult {
  expect(describeRun(result)).toMatch(/^exit 0\n/);
  return result;
}

/**
 * The suite of one `nest new` project: the quick start built, started and driven over HTTP, its own e2e
 * test, the README's next step (a baseline, createAll dropped), and every database command on each kind.
 */
export function describeNestNewProject({ name, typescriptNodeArgs, ownTests }: ProjectCase): void {
  describe(`a \`nest new\` project: ${name}`, () => {
    let project: FixtureProject;

    beforeAll(async () => {
      project = await prepareFixtureProject(name, packLibrary());
    }, 20 * 60_000);
    afterAll(() => project?.dispose());

    const build = async () => {
      expectSuccess(await project.node([project.installed('@nestjs/cli/bin/nest.js'), 'build']));
    };
    const file = (path: string) => join(project.directory, path);

    // The quick start's database: its table made by createAll, kept for the README's next step (baseline).
    let quickStartDatabase: TestDatabase | undefined;
    afterAll(async () => {
      await quickStartDatabase?.drop();
    });

    it('builds with nest build; the app validates its input and commits before it answers', async () => {
      await build();
      expect(existsSync(file('dist/main.js'))).toBe(true);
      const database = (quickStartDatabase = await createTestDatabase('sqlite', `${name}_app`));
      const app = await startBuiltApp(project, { DATABASE_URL: database.connectionString });
      try {
        const created = await fetch(`${app.url}/books`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ title: 'Dune' }),
        });
        expect(created.status).toBe(201);
        const probe = await openProbe(database.connectionString);
        try {
          expect(await probe.count('books', 'title = ?', ['Dune'])).toBe(1);
          for (const body of [{ id: 'not-a-uuid', title: 'X' }, {}]) {
            const refused = await fetch(`${app.url}/books`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(body),
            });
            expect({ body, status: refused.status }).toEqual({ body, status: 400 });
          }
          expect(await probe.count('books')).toBe(1);
        } finally {
          await probe.close();
        }
      } finally {
        await app.stop();
      }
    });

    it('the two-line cli.ts runs on the TypeScript sources and, after nest build, on plain node', async () => {
      const database = await createTestDatabase('sqlite', `${name}_cli`);
      try {
        for (const script of [[...typescriptNodeArgs, 'src/cli.ts'], ['dist/cli.js']]) {
          const result = await project.node([...script, 'db', 'show-current-revision'], {
            DATABASE_URL: database.connectionString,
          });
          expect(expectSuccess(result).stdout.trim()).toBe('base');
        }
      } finally {
        await database.drop();
      }
    });

    (ownTests.unsupported ? it.skip : it)(
      `passes its own e2e test (testing kit) under its own runner${ownTests.unsupported ? ` — ${ownTests.unsupported}` : ''}`,
      async () => {
        const result = expectSuccess(
          await project.node(
            ownTests.args.map((arg) => (arg.startsWith('node_modules/') ? project.installed(arg.slice(13)) : arg)),
          ),
        );
        expect(result.stdout + result.stderr).toMatch(/2 passed/);
      },
    );

    // The README: "On a database whose tables createAll already made, start with db make-migrations
    // --baseline -m "initial", then drop createAll." From here on the app runs on migrations only.
    it("the README's next step on the quick start's database: a baseline, then createAll dropped", async () => {
      const env = { DATABASE_URL: quickStartDatabase!.connectionString };
      const cli = (...args: string[]) =>
        project.node([project.installed('nestjs-advanced-alchemy/dist/src/cli/bin.js'), ...args], env);
      expectSuccess(await cli('db', 'make-migrations', '--baseline', '-m', 'initial', '--app', 'src/app.module.ts'));
      expect(readdirSync(file('src/migrations/default/sqlite'))).toContainEqual(
        expect.stringMatching(/^\d{13}-initial\.ts$/),
      );
      const module = readFileSync(file('src/app.module.ts'), 'utf8');
      const withoutCreateAll = module.replace(/^ *createAll: true,.*\n/m, '');
      expect(withoutCreateAll).not.toBe(module);
      writeFileSync(file('src/app.module.ts'), withoutCreateAll);
      await build();
      const app = await startBuiltApp(project, env);
      try {
        expect(app.output()).not.toContain('the database is behind the application');
        const created = await fetch(`${app.url}/books`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ title: 'Solaris' }),
        });
        expect(created.status).toBe(201);
        const probe = await openProbe(quickStartDatabase!.connectionString);
        try {
          expect(await probe.count('books', 'title = ?', ['Solaris'])).toBe(1);
        } finally {
          await probe.close();
        }
      } finally {
        await app.stop();
      }
    });

    describe.each(testDatabaseKinds())('the database commands on %s', (kind) => {
      let database: TestDatabase;
      let env: NodeJS.ProcessEnv;
      beforeAll(async () => {
        database = await createTestDatabase(kind, `${name}_db`);
        env = { DATABASE_URL: database.connectionString };
        rmSync(file('src/migrations'), { recursive: true, force: true });
        rmSync(file('dist'), { recursive: true, force: true });
      });
      afterAll(async () => {
        await database?.drop();
      });

      const db = (app: string, ...args: string[]) =>
        project.node(
          [project.installed('nestjs-advanced-alchemy/dist/src/cli/bin.js'), 'db', ...args, '--app', app],
          env,
        );
      const typeorm = (dataSource: string, command: string, nodeArgs: string[] = []) =>
        project.node([...nodeArgs, project.installed('typeorm/cli.js'), command, '-d', dataSource], env);
      const migrations = (directory: string) =>
        existsSync(file(directory)) ? readdirSync(file(directory)).filter((entry) => !entry.endsWith('.template')) : [];
      const tables = async () => {
        const probe = await openProbe(database.connectionString);
        try {
          const rows = await probe.query<{ name: string }>(
            kind === 'sqlite'
              ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
              : kind === 'postgres'
                ? "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'"
                : 'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()',
          );
          return rows.map((row) => row.name).sort();
        } finally {
          await probe.close();
        }
      };
      let revision: string;
      // The migrations of each kind of database live in a folder of their own.
      const sources = `src/migrations/default/${kind}`;
      const compiled = `dist/migrations/default/${kind}`;

      it('on the TypeScript sources: init, make-migrations into src/migrations/default/<kind>, upgrade, check, history, downgrade, stamp', async () => {
        const app = 'src/app.module.ts';
        expect(expectSuccess(await db(app, 'init')).stdout).toContain(`Created ${sources}`);
        expectSuccess(await db(app, 'make-migrations', '-m', 'add books'));
        const [migration] = migrations(sources);
        expect(migration).toMatch(/^\d{13}-add-books\.ts$/);
        const source = readFileSync(file(`${sources}/${migration}`), 'utf8');
        expect(source).toContain('export class AddBooks');
        expect(source).not.toContain('module.exports');
        expect(source).toContain(`databaseKind = '${kind}';`);
        revision = /export class (AddBooks\d{13})/.exec(source)![1];
        expectSuccess(await db(app, 'upgrade'));
        expect(await tables()).toEqual(['books', 'migrations']);
        expectSuccess(await db(app, 'check'));
        expect(expectSuccess(await db(app, 'history')).stdout).toContain(`[X] ${revision}`);
        expectSuccess(await db(app, 'downgrade', 'base', '--no-prompt'));
        expect(await tables()).toEqual(['migrations']);
        expectSuccess(await db(app, 'stamp', 'head', '--no-prompt'));
        expect(expectSuccess(await db(app, 'history')).stdout).toContain(`[X] ${revision}`);
        expectSuccess(await db(app, 'stamp', 'base', '--no-prompt'));
      });

      // The README's `doctor` line, on this kind: the migration just made is pending (stamp base above).
      const doctor = () =>
        project.node(
          [project.installed('nestjs-advanced-alchemy/dist/src/cli/bin.js'), 'doctor', '--app', 'src/app.module.ts'],
          env,
        );
      it('doctor: the pending migration is a FAIL naming db upgrade; after upgrade nothing blocks', async () => {
        const pending = await doctor();
        expect(pending.code).toBe(1);
        const lines = pending.stdout.split('\n');
        expect(lines.find((line) => line.includes('[default] database'))).toMatch(new RegExp(`^ok .*${kind}`));
        expect(lines.find((line) => line.includes('driver') || line.includes('better-sqlite3'))).toMatch(/^ok /);
        expect(lines.find((line) => line.includes('module system'))).toMatch(
          name === 'nest-new-esm'
            ? /^ok .*ES module; TypeScript loader: @swc-node\/register/
            : /^ok .*CommonJS; TypeScript loader: ts-node/,
        );
        expect(lines.find((line) => line.startsWith('FAIL'))).toContain(`[default] schema: 1 migration(s) not applied`);
        expect(pending.stdout).toContain('db upgrade');
        expect(lines.find((line) => line.includes('[default] commitMode'))).toMatch(/^ok .*autocommit \(stated\)/);
        expectSuccess(await db('src/app.module.ts', 'upgrade'));
        const upgraded = expectSuccess(await doctor());
        expect(upgraded.stdout).not.toContain('FAIL');
        expectSuccess(await db('src/app.module.ts', 'downgrade', 'base', '--no-prompt'));
      });

      it('the TypeORM CLI on the TypeScript sources, through createDataSourceForBindKey', async () => {
        const dataSource = 'src/data-source.ts';
        expect(expectSuccess(await typeorm(dataSource, 'migration:show', typescriptNodeArgs)).stdout).toContain(
          `[ ] ${revision}`,
        );
        expectSuccess(await typeorm(dataSource, 'migration:run', typescriptNodeArgs));
        expect(await tables()).toEqual(['books', 'migrations']);
        expectSuccess(await typeorm(dataSource, 'migration:revert', typescriptNodeArgs));
        expect(await tables()).toEqual(['migrations']);
      });

      it('after nest build, on the compiled JavaScript: the same commands, and make-migrations writes into src', async () => {
        await build();
        expect(migrations(compiled)).toContainEqual(expect.stringMatching(/-add-books\.js$/));
        const app = 'dist/app.module.js';
        expectSuccess(await db(app, 'upgrade'));
        expect(await tables()).toEqual(['books', 'migrations']);
        expectSuccess(await db(app, 'check'));
        expect(expectSuccess(await db(app, 'history')).stdout).toContain(`[X] ${revision}`);
        expectSuccess(await db(app, 'downgrade', '--no-prompt'));
        expect(await tables()).toEqual(['migrations']);
        expectSuccess(await db(app, 'stamp', 'head', '--no-prompt'));
        expectSuccess(await db(app, 'stamp', 'base', '--no-prompt'));
        expectSuccess(await db(app, 'make-migrations', '-m', 'by hand', '--no-autogenerate'));
        expect(migrations(sources)).toContainEqual(expect.stringMatching(/-by-hand\.ts$/));
        expect(migrations(compiled)).not.toContainEqual(expect.stringMatching(/-by-hand/));
        rmSync(file(`${sources}/${migrations(sources).find((f) => f.includes('by-hand'))}`));
      });

      it('the TypeORM CLI on the build, through createDataSourceForBindKey', async () => {
        const dataSource = 'dist/data-source.js';
        expect(expectSuccess(await typeorm(dataSource, 'migration:show')).stdout).toContain(`[ ] ${revision}`);
        expectSuccess(await typeorm(dataSource, 'migration:run'));
        expect(await tables()).toEqual(['books', 'migrations']);
        expectSuccess(await typeorm(dataSource, 'migration:revert'));
        expect(await tables()).toEqual(['migrations']);
      });

      it('the built app started with the migration pending says so in one line naming db upgrade', async () => {
        // createAll is dropped (the baseline test): the table is missing and the migration pending.
        const app = await startBuiltApp(project, env);
        try {
          const lines = app
            .output()
            .split('\n')
            .filter((line) => line.includes('the database is behind the application'));
          expect(lines).toHaveLength(1);
          expect(lines[0]).toMatch(/1 migration\(s\) not applied \(\d{13}-add-books\.[jt]s\)/);
          expect(lines[0]).toContain('db upgrade');
        } finally {
          await app.stop();
        }
      });
    });
  });
}
