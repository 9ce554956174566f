import { stripVTControlCharacters } from 'node:util';
import { describeRun, type CommandResult } from '../migrations/support/run-command';
import { packLibrary } from '../package/packed-library';
import { prepareFixtureProject, type FixtureProject } from './support/fixture-project';

// The ES module project `nest new` makes, with the quick start and the GraphQL (Apollo on Express, code
// first), queue (BullMQ) and task scheduling set-ups of Nest's docs, the packed library installed from
// its tarball. Its own Vitest e2e test (test/entry-points.e2e-spec.ts in the fixture) checks that a
// failing mutation, job or tick stores nothing and a succeeding one stores its row, read through a
// connection of its own. A project of its own (docs/entry-points.md says why), in a file of its own so
// that it runs beside the other `nest new` projects.

jest.setTimeout(20 * 60_000);

function expectSuccess(result: CommandResult): CommandResult {
  expect(describeRun(result)).toMatch(/^exit 0\n/);
  return result;
}

describe('a `nest new` project with GraphQL, BullMQ and @nestjs/schedule: nest-new-esm-entry-points', () => {
  let project: FixtureProject;

  beforeAll(async () => {
    project = await prepareFixtureProject('nest-new-esm-entry-points', packLibrary());
  }, 20 * 60_000);
  afterAll(() => project?.dispose());

  it('builds with nest build (tsc: the resolver, processor and scheduled task type-check)', async () => {
    expectSuccess(await project.node([project.installed('@nestjs/cli/bin/nest.js'), 'build']));
  });

  it('passes its own Vitest e2e tests: the entry points store only what succeeded (Redis on 127.0.0.1:6379)', async () => {
    const result = expectSuccess(
      await project.node([project.installed('vitest/vitest.mjs'), 'run', '--config', './vitest.config.e2e.ts']),
    );
    // The quick start's own 2 tests and the 3 of the entry points.
    expect(stripVTControlCharacters(result.stdout + result.stderr)).toMatch(/Tests +5 passed \(5\)/);
  });
});
