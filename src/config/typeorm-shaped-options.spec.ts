import { ImproperConfigurationError } from '../errors/improper-configuration.error';
import { normalizeConfigs } from './normalize-configs';
import { describeTypeOrmTarget, secretsOf } from './typeorm-shaped-options';

// A config written as @nestjs/typeorm's options (with `type`) is taken as it is; what the module cannot
// honour fails at startup with the fix, and never repeats the password.
const PASSWORD = 'S3cr3t-pw';
const PG = { type: 'postgres', host: 'localhost', port: 5432, username: 'app', password: PASSWORD, database: 'app' };

function configError(input: unknown): ImproperConfigurationError {
  try {
    normalizeConfigs(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ImproperConfigurationError);
    expect((error as Error).message).not.toContain(PASSWORD);
    return error as ImproperConfigurationError;
  }
  throw new Error(`normalizeConfigs accepted ${JSON.stringify(input)}`);
}

describe('normalizeConfigs: @nestjs/typeorm-shaped options', () => {
  it('keeps the DataSource options as they are, the name as bind key, and commits on 2xx by default', () => {
    const [config] = normalizeConfigs({
      ...PG,
      name: 'connection_2',
      synchronize: true,
      autoLoadEntities: true,
      retryAttempts: 3,
      retryDelay: 10,
      migrations: ['dist/migrations/*.js'],
    });
    expect(config.bindKey).toBe('connection_2');
    expect(config.autoLoadEntities).toBe(true);
    expect(config.commitMode).toBe('autocommit');
    expect(config.commitModeStated).toBe(false);
    expect(config.connectRetry).toMatchObject({ attempts: 3, delayMs: 10 });
    expect(config.typeOrmOptions).toMatchObject({ ...PG, synchronize: true, migrations: ['dist/migrations/*.js'] });
    expect(config.typeOrmOptions).not.toHaveProperty('retryAttempts');
    expect(config.typeOrmOptions).not.toHaveProperty('autoLoadEntities');
  });

  it("takes the module's own options beside them, commitMode included", () => {
    const [config] = normalizeConfigs({ ...PG, commitMode: 'manual', engineConfig: { statementTimeout: 5000 } });
    expect(config.commitMode).toBe('manual');
    expect(config.commitModeStated).toBe(true);
    expect(config.engineConfig.statementTimeout).toBe(5000);
    expect(config.typeOrmOptions).not.toHaveProperty('commitMode');
  });

  it('keeps manual as the default of connectionString configs, and says it was not stated', () => {
    const [config] = normalizeConfigs({ connectionString: 'sqlite://:memory:' });
    expect(config.commitMode).toBe('manual');
    expect(config.commitModeStated).toBe(false);
  });

  it('takes dataSourceFactory as createDataSource', () => {
    const dataSourceFactory = jest.fn();
    const [config] = normalizeConfigs({ ...PG, dataSourceFactory });
    expect(config.createDataSource).toBe(dataSourceFactory);
  });

  it('refuses manualInitialization, naming the way to connect later', () => {
    expect(configError({ ...PG, manualInitialization: true }).message).toMatch(
      /manualInitialization: true, which the module does not support.*hand it to a bind key with forRootAsync/,
    );
  });

  it('refuses a type the sessions do not run on, and names TypeORM 1’s SQLite driver', () => {
    expect(configError({ type: 'sqlite', database: 'app.db' }).message).toContain("use 'better-sqlite3'");
    expect(configError({ type: 'mssql', host: 'x' }).message).toContain("Use one of: 'better-sqlite3', 'postgres'");
  });

  it('refuses type beside connectionString, and a name that differs from bindKey', () => {
    expect(configError({ ...PG, connectionString: 'sqlite://:memory:' }).message).toContain('give one or the other');
    expect(configError({ ...PG, name: 'a', bindKey: 'b' }).message).toContain('they are the same thing');
  });

  it('finds the password of a url, even one with an unencoded "@", and hides it in the target', () => {
    const url = 'postgresql://app:p@ss:w0rd@db.example/app';
    expect(secretsOf({ type: 'postgres', url })).toContain('p@ss:w0rd');
    expect(describeTypeOrmTarget({ type: 'postgres', url })).toBe('postgres postgresql://app:***@db.example/app');
  });

  it("checks the module's own options as strictly as ever", () => {
    expect(configError({ ...PG, commitMode: 'sometimes' }).message).toContain('commitMode must be one of');
    expect(configError({ ...PG, retryAttempts: -1 }).message).toContain('retryAttempts must be a whole number');
  });
});
