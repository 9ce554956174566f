import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AdvancedAlchemyModule } from 'nestjs-advanced-alchemy';
import { testDatabaseKinds, type DatabaseProbe } from 'nestjs-advanced-alchemy/testing';
import { Author, Book } from './fixtures/library-v1.entities';
import { createWorkspace, type MigrationWorkspace } from './support/migration-workspace';
import { describeRun } from './support/run-command';
import { listTables, recordedRevisions } from './support/schema-probe';

jest.setTimeout(60_000);

describe.each(testDatabaseKinds())('migrationConfig.runOnStartup on %s', (kind) => {
  let workspace: MigrationWorkspace;
  let probe: DatabaseProbe;

  beforeAll(async () => {
    workspace = await createWorkspace(kind, 'mig_startup');
    // JavaScript migration files: this suite loads them in the jest process itself.
    const result = await workspace.run('app-v1', 'make-migrations', '-m', 'create library', '--js');
    if (result.code !== 0) throw new Error(describeRun(result));
  });
  afterAll(async () => {
    await workspace?.dispose();
  });

  async function start(runOnStartup?: boolean): Promise<INestApplicationContext> {
    const moduleRef = await Test.createTestingModule({
      imports: [
        AdvancedAlchemyModule.forRoot({
          connectionString: workspace.database.connectionString,
          entities: [Author, Book],
          migrationConfig: { scriptLocation: workspace.migrationsDirectory(), runOnStartup },
        }),
      ],
    }).compile();
    return moduleRef.init();
  }

  it('leaves the database alone by default', async () => {
    const app = await start();
    await app.close();
    probe = await workspace.probe();
    expect(await listTables(probe)).toEqual([]);
  });

  it('applies the pending migrations when the application starts', async () => {
    const app = await start(true);
    try {
      expect(await listTables(probe)).toEqual(['mig_authors', 'mig_books', 'migrations']);
      expect(await recordedRevisions(probe)).toEqual([expect.stringMatching(/^CreateLibrary\d{13}$/)]);
    } finally {
      await app.close();
    }
    // A second start finds nothing pending.
    await (await start(true)).close();
    expect(await recordedRevisions(probe)).toHaveLength(1);
  });

  it('is not done when the command line boots the application (nor is createAll)', async () => {
    const dropped = await workspace.run('app-v1', 'drop-all', '--no-prompt');
    expect({ code: dropped.code, output: describeRun(dropped) }).toMatchObject({ code: 0 });
    const result = await workspace.run('app-startup-schema', 'history');
    expect({ code: result.code, output: describeRun(result) }).toMatchObject({ code: 0 });
    expect(result.stdout).toMatch(/\[ \] CreateLibrary\d{13} \(head\)/);
    expect(await listTables(probe)).toEqual([]);
  });
});
