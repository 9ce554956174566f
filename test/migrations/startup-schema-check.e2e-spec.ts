import type { INestApplicationContext, LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AdvancedAlchemyModule, AlchemyHealthIndicator } from 'nestjs-advanced-alchemy';
import { testDatabaseKinds } from 'nestjs-advanced-alchemy/testing';
import { Author, Book } from './fixtures/library-v1.entities';
import { createWorkspace, type MigrationWorkspace } from './support/migration-workspace';
import { describeRun } from './support/run-command';

jest.setTimeout(120_000);

/** Keeps the warnings a started application logs. */
class WarningLogger implements LoggerService {
  readonly warnings: string[] = [];
  log(): void {}
  error(): void {}
  warn(message: unknown): void {
    this.warnings.push(String(message));
  }
}

// An application started on an empty or outdated database used to start in silence, then answer
// every request 500 ("relation "books" does not exist"). Now one line at startup names what is
// missing and the command to run, and the health indicator reports the bind key down with it.
describe.each(testDatabaseKinds())('the schema check at startup on %s', (kind) => {
  let workspace: MigrationWorkspace;

  beforeAll(async () => {
    workspace = await createWorkspace(kind, 'mig_schema_check');
  });
  afterAll(async () => {
    await workspace?.dispose();
  });

  async function start() {
    const logger = new WarningLogger();
    const moduleRef = await Test.createTestingModule({
      imports: [
        AdvancedAlchemyModule.forRoot({
          connectionString: workspace.database.connectionString,
          entities: [Author, Book],
          commitMode: 'autocommit',
          migrationConfig: { scriptLocation: workspace.migrationsDirectory() },
        }),
      ],
      providers: [AlchemyHealthIndicator],
    })
      .setLogger(logger)
      .compile();
    const app: INestApplicationContext = await moduleRef.init();
    const health = await app.get(AlchemyHealthIndicator).pingCheck('database');
    await app.close();
    const lines = logger.warnings.filter((line) => line.includes('the database is behind the application'));
    return { lines, health: health.database };
  }

  it('tables missing and no migration: one line naming them and make-migrations; health down', async () => {
    const { lines, health } = await start();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('Bind key "default"');
    expect(lines[0]).toContain('mig_authors');
    expect(lines[0]).toContain('mig_books');
    expect(lines[0]).toContain('db make-migrations');
    expect(health).toMatchObject({ status: 'down', bindKey: 'default' });
    expect(health.message).toContain('db make-migrations');
  });

  it('a migration not applied: one line naming it and upgrade; then, once applied, nothing', async () => {
    const made = await workspace.run('app-v1', 'make-migrations', '-m', 'create library', '--js');
    if (made.code !== 0) throw new Error(describeRun(made));
    const pending = await start();
    expect(pending.lines).toHaveLength(1);
    expect(pending.lines[0]).toMatch(/1 migration\(s\) not applied \(\d{13}-create-library\.js\)/);
    expect(pending.lines[0]).toContain('db upgrade');
    expect(pending.lines[0]).toContain('runOnStartup');
    expect(pending.health.status).toBe('down');

    const upgraded = await workspace.run('app-v1', 'upgrade');
    if (upgraded.code !== 0) throw new Error(describeRun(upgraded));
    const current = await start();
    expect(current.lines).toEqual([]);
    expect(current.health.status).toBe('up');
  });
});

describe.each(testDatabaseKinds())('createAll and the schema check on %s', (kind) => {
  let workspace: MigrationWorkspace;
  beforeAll(async () => {
    workspace = await createWorkspace(kind, 'mig_schema_create_all');
  });
  afterAll(async () => {
    await workspace?.dispose();
  });

  it('createAll made the tables: no line, health up', async () => {
    const logger = new WarningLogger();
    const moduleRef = await Test.createTestingModule({
      imports: [
        AdvancedAlchemyModule.forRoot({
          connectionString: workspace.database.connectionString,
          entities: [Author, Book],
          commitMode: 'autocommit',
          createAll: true,
          migrationConfig: { scriptLocation: workspace.migrationsDirectory() },
        }),
      ],
      providers: [AlchemyHealthIndicator],
    })
      .setLogger(logger)
      .compile();
    const app = await moduleRef.init();
    try {
      expect((await app.get(AlchemyHealthIndicator).pingCheck('database')).database.status).toBe('up');
    } finally {
      await app.close();
    }
    expect(logger.warnings.filter((line) => line.includes('behind'))).toEqual([]);
  });
});
