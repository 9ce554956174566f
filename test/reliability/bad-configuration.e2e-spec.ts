import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  AdvancedAlchemyModule,
  ImproperConfigurationError,
  InjectSession,
  type AlchemyConfigOptions,
  type Session,
} from 'nestjs-advanced-alchemy';
import {
  createTestDatabase,
  testDatabaseKinds,
  type TestDatabase,
  type TestDatabaseKind,
} from 'nestjs-advanced-alchemy/testing';
import { BAD_CONFIGURATIONS, type BadConfiguration } from './fixtures/bad-configurations';
import { startWithoutDriver } from './fixtures/child-process';

const PASSWORD = 'Bad-C0nfig-Secret';
const DRIVER: Record<TestDatabaseKind, string> = { sqlite: 'better-sqlite3', postgres: 'pg', mariadb: 'mysql2' };

/** A service asking for a bind key no configuration declares. */
@Injectable()
class ArchiveService {
  constructor(@InjectSession('archive') readonly session: Session) {}
}

type Configs = AlchemyConfigOptions | AlchemyConfigOptions[];

/**
 * Starts an application on `alchemy()` (the call of forRoot or forRootAsync included) as a user
 * would: compile, then init. Resolves with what was thrown, or an Error saying it started.
 */
async function startupFailure(
  alchemy: () => ReturnType<typeof AdvancedAlchemyModule.forRoot>,
  providers: object[] = [],
) {
  try {
    @Module({ imports: [alchemy()], providers: providers as never[] })
    class AppModule {}
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    await app.close();
    return new Error('the application started');
  } catch (error) {
    return error;
  }
}

// Every malformed configuration stops the application at startup, through forRoot and through
// forRootAsync alike, with an ImproperConfigurationError whose message names the bind key, the
// field and the fix, and never shows the connection password.
describe.each(testDatabaseKinds())('a bad configuration on %s', (kind) => {
  let database: TestDatabase;
  /** The test database's URL with a password in it (never used to connect: startup fails before). */
  let url: string;
  /** A URL the database accepts (MariaDB's root has no password; PostgreSQL trusts any). */
  let connectable: string;
  beforeAll(async () => {
    database = await createTestDatabase(kind, 'rel_bad_configuration');
    url = kind === 'sqlite' ? database.connectionString : withPassword(database.connectionString);
    connectable = kind === 'mariadb' ? database.connectionString : url;
  });
  afterAll(() => database?.drop());

  const cases = BAD_CONFIGURATIONS.filter((bad) => !bad.kinds || bad.kinds.includes(kind));
  const expectExplained = (failure: unknown, bad: BadConfiguration) => {
    expect(failure).toBeInstanceOf(ImproperConfigurationError);
    const { message } = failure as Error;
    expect(message).toMatch(bad.field);
    expect(message).toMatch(bad.fix);
    if (bad.bindKey) expect(message).toContain(`"${bad.bindKey}"`);
    expect(message).not.toContain(PASSWORD);
  };

  it.each(cases.map((bad) => [bad.name, bad] as const))('%s, through forRoot', async (_name, bad) => {
    const configs = bad.configs(url, kind) as Configs;
    if (!bad.atOpen) {
      // Refused when forRoot() is called, while the module's file is loaded: before anything starts.
      let thrown: unknown;
      try {
        AdvancedAlchemyModule.forRoot(configs);
      } catch (error) {
        thrown = error;
      }
      expectExplained(thrown, bad);
    }
    expectExplained(await startupFailure(() => AdvancedAlchemyModule.forRoot(configs)), bad);
  });

  it.each(cases.map((bad) => [bad.name, bad] as const))('%s, through forRootAsync', async (_name, bad) => {
    const failure = await startupFailure(() =>
      AdvancedAlchemyModule.forRootAsync({ useFactory: async () => bad.configs(url, kind) as Configs }),
    );
    expectExplained(failure, bad);
  });

  it("an @InjectSession('archive') no configuration declares, through forRoot and forRootAsync", async () => {
    const configs = { bindKey: 'orders', connectionString: connectable };
    const failures = [
      await startupFailure(() => AdvancedAlchemyModule.forRoot(configs), [ArchiveService]),
      await startupFailure(() => AdvancedAlchemyModule.forRootAsync({ useFactory: () => configs }), [ArchiveService]),
    ];
    for (const failure of failures) {
      expectExplained(failure, {
        name: 'undeclared bind key',
        configs: () => configs,
        field: /ArchiveService uses @InjectSession\('archive'\)/,
        fix: /Configured bind keys: "orders"/,
        bindKey: null,
      });
    }
  });

  it(`the driver package (${DRIVER[kind]}) not installed`, async () => {
    const outcome = await startWithoutDriver(url, [DRIVER[kind]]);
    expect(outcome).toEqual(expect.objectContaining({ name: 'ImproperConfigurationError' }));
    expect(outcome.message).toContain('Bind key "orders"');
    expect(outcome.message).toContain(`run npm install ${DRIVER[kind]}`);
    expect(`${outcome.message}\n${outcome.stack}`).not.toContain(PASSWORD);
  }, 20_000);

  it('the same configuration, fixed, starts (control)', async () => {
    const started = await startupFailure(() =>
      AdvancedAlchemyModule.forRoot({ bindKey: 'orders', connectionString: connectable }),
    );
    expect(started).toEqual(new Error('the application started'));
  });
});

function withPassword(connectionString: string): string {
  const parsed = new URL(connectionString);
  parsed.password = PASSWORD;
  return parsed.toString();
}
