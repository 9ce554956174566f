import { DataSource } from 'typeorm';
import { ImproperConfigurationError } from '../errors/improper-configuration.error';
import { AlchemyConfig } from './alchemy-config';
import { normalizeConfigs } from './normalize-configs';

// Every malformed configuration must fail at startup with one ImproperConfigurationError that says
// which field is wrong and how to fix it, and never repeats the database password.
const PASSWORD = 'S3cr3t-pw';
const PG_URL = `postgresql://app:${PASSWORD}@localhost/app`;
const SQLITE_URL = 'sqlite:////srv/app.db';

/** The error `normalizeConfigs` throws for an input (fails the test if it throws none). */
function configError(input: unknown): ImproperConfigurationError {
  try {
    normalizeConfigs(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ImproperConfigurationError);
    return error as ImproperConfigurationError;
  }
  throw new Error(`normalizeConfigs accepted ${JSON.stringify(input)}`);
}

function unopenedDataSource(): DataSource {
  return new DataSource({ type: 'better-sqlite3', database: ':memory:' });
}

describe('normalizeConfigs: valid configurations', () => {
  it('fills in every default of a single config', () => {
    const [config] = normalizeConfigs({ connectionString: PG_URL });
    expect(config).toBeInstanceOf(AlchemyConfig);
    expect(config).toMatchObject({
      bindKey: 'default',
      connectionString: PG_URL,
      engineConfig: {},
      sessionConfig: { autoBegin: true },
      entities: [],
      createAll: false,
      enableTouchUpdatedTimestampListener: true,
      migrationConfig: { versionTableName: 'migrations', runOnStartup: false },
      commitMode: 'manual',
    });
  });

  it('keeps the given values and the declaration order of a list', () => {
    const configs = normalizeConfigs([
      { connectionString: SQLITE_URL, commitMode: 'autocommit', sessionConfig: { autoBegin: false } },
      {
        bindKey: 'reports',
        connectionString: PG_URL,
        createAll: true,
        engineConfig: { poolSize: 5, poolRecycle: 300, isolationLevel: 'SERIALIZABLE', echo: ['error', 'warn'] },
        migrationConfig: { versionTableName: 'alembic_versions' },
        commitMode: 'autocommit_include_redirect',
      },
    ]);
    expect(configs.map((config) => config.bindKey)).toEqual(['default', 'reports']);
    expect(configs[0]).toMatchObject({ commitMode: 'autocommit', sessionConfig: { autoBegin: false } });
    expect(configs[1]).toMatchObject({
      createAll: true,
      engineConfig: { poolSize: 5, poolRecycle: 300, isolationLevel: 'SERIALIZABLE' },
      migrationConfig: { versionTableName: 'alembic_versions' },
      commitMode: 'autocommit_include_redirect',
    });
  });

  it('accepts a DataSource instead of a connection string, and poolSize 1 on SQLite', () => {
    const dataSource = unopenedDataSource();
    const [byInstance, sqlite] = normalizeConfigs([
      { dataSource },
      { bindKey: 'files', connectionString: SQLITE_URL, engineConfig: { poolSize: 1 } },
    ]);
    expect(byInstance.dataSource).toBe(dataSource);
    expect(sqlite.engineConfig.poolSize).toBe(1);
  });

  it('has no session maker before the application has started', () => {
    const [config] = normalizeConfigs({ bindKey: 'reports', connectionString: PG_URL });
    expect(() => config.createSessionMaker()).toThrow(
      /AlchemyConfig\("reports"\)\.createSessionMaker\(\) was called before the application started/,
    );
  });
});

describe('normalizeConfigs: malformed configurations', () => {
  // [what is wrong, the input, what the message must say: the field (and bind key) and the fix]
  const cases: Array<[string, unknown, RegExp[]]> = [
    ['an empty list', [], [/got no configuration/, /pass at least one \{ connectionString \} or \{ dataSource \}/]],
    ['a number instead of an object', 42, [/Configuration #1 must be an object/, /connectionString: 'sqlite/]],
    ['null as the second config', [{ connectionString: PG_URL }, null], [/Configuration #2 must be an object/]],
    ['a list inside the list', [[{ connectionString: PG_URL }]], [/Configuration #1 must be an object.*an array/]],
    [
      'an unknown top-level key (comitMode)',
      { connectionString: PG_URL, comitMode: 'autocommit' },
      [/comitMode is not a known option/, /check its spelling/],
    ],
    [
      "an unknown engineConfig key (the seed's pool_size)",
      { bindKey: 'reports', connectionString: PG_URL, engineConfig: { pool_size: 5 } },
      [/bind key "reports"/, /engineConfig\.pool_size is not a known option/, /check its spelling/],
    ],
    [
      "an unknown sessionConfig key (the seed's autobegin)",
      { connectionString: PG_URL, sessionConfig: { autobegin: false } },
      [/sessionConfig\.autobegin is not a known option/],
    ],
    [
      "an unknown migrationConfig key (the seed's script_location)",
      { connectionString: PG_URL, migrationConfig: { script_location: 'db' } },
      [/migrationConfig\.script_location is not a known option/],
    ],
    [
      'both connectionString and dataSource',
      { connectionString: PG_URL, dataSource: unopenedDataSource() },
      [/exactly one of connectionString and dataSource \(got both\)/, /Use connectionString to let the module/],
    ],
    [
      'neither connectionString nor dataSource',
      { bindKey: 'reports' },
      [/bind key "reports" must set exactly one of connectionString and dataSource \(got neither\)/],
    ],
    [
      'two configs without a bindKey',
      [{ connectionString: PG_URL }, { connectionString: SQLITE_URL }],
      [/Two configurations use the bind key "default"/, /give each database its own bindKey/],
    ],
    [
      'two configs with the same bindKey',
      [
        { bindKey: 'reports', connectionString: PG_URL },
        { bindKey: 'reports', connectionString: SQLITE_URL },
      ],
      [/Two configurations use the bind key "reports"/],
    ],
    [
      'a bindKey with a space',
      { bindKey: 'my reports', connectionString: PG_URL },
      [/bindKey must be a non-empty name of letters, digits/, /got "my reports"/],
    ],
    ['an empty bindKey', { bindKey: '', connectionString: PG_URL }, [/bindKey must be a non-empty name/]],
    ['a bindKey that is not a string', { bindKey: 7, connectionString: PG_URL }, [/bindKey must be a string/]],
    [
      'a connectionString that is not a string',
      { connectionString: { host: 'localhost' } },
      [/connectionString must be a string/],
    ],
    [
      'an unknown URL scheme',
      { connectionString: PG_URL.replace('postgresql', 'postgresq') },
      [/unknown scheme "postgresq:\/\/"/, /Use one of: sqlite:\/\//],
    ],
    ['a string that is not a URL', { connectionString: 'localhost:5432/app' }, [/is not a URL/, /scheme:\/\//]],
    [
      'a PostgreSQL URL without a database',
      { connectionString: `postgresql://app:${PASSWORD}@localhost:5432` },
      [/connectionString of bind key "default" names no database/, /add it after the host/],
    ],
    [
      'an unknown URL query parameter',
      { connectionString: `${PG_URL}?sslcert=client.pem` },
      [/unknown query parameter "sslcert"/, /engineConfig\.connectArgs/],
    ],
    [
      'a commitMode with a typo',
      { connectionString: PG_URL, commitMode: 'autocommit_include_redirects' },
      [/commitMode must be one of: 'manual', 'autocommit', 'autocommit_include_redirect'/],
    ],
    ['a negative poolSize', { connectionString: PG_URL, engineConfig: { poolSize: -1 } }, [/poolSize.*less than 1/]],
    ['a zero poolSize', { connectionString: PG_URL, engineConfig: { poolSize: 0 } }, [/engineConfig\.poolSize:.*1/]],
    ['a fractional poolSize', { connectionString: PG_URL, engineConfig: { poolSize: 2.5 } }, [/poolSize.*integer/]],
    [
      'a huge poolSize',
      { connectionString: PG_URL, engineConfig: { poolSize: 50_000 } },
      [/poolSize must not be greater than 10000/],
    ],
    [
      'poolSize 4 on SQLite',
      { connectionString: SQLITE_URL, engineConfig: { poolSize: 4 } },
      [/engineConfig\.poolSize is 4, but SQLite has a single connection/, /Remove poolSize/],
    ],
    [
      'poolRecycle on MySQL',
      { connectionString: `mysql://root:${PASSWORD}@localhost/app`, engineConfig: { poolRecycle: 60 } },
      [/engineConfig\.poolRecycle is supported on PostgreSQL only/, /Remove it/],
    ],
    [
      'poolRecycle on SQLite',
      { connectionString: SQLITE_URL, engineConfig: { poolRecycle: 60 } },
      [/engineConfig\.poolRecycle is supported on PostgreSQL only/],
    ],
    [
      'poolTimeout in a string with a unit',
      { connectionString: PG_URL, engineConfig: { poolTimeout: '30s' } },
      [/engineConfig\.poolTimeout: poolTimeout must be an integer number/],
    ],
    [
      'an isolationLevel TypeORM does not know',
      { connectionString: PG_URL, engineConfig: { isolationLevel: 'SNAPSHOT' } },
      [/engineConfig\.isolationLevel: isolationLevel must be one of the following values: READ UNCOMMITTED/],
    ],
    [
      'a lower-case session isolationLevel',
      { connectionString: PG_URL, sessionConfig: { isolationLevel: 'read committed' } },
      [/sessionConfig\.isolationLevel: .*READ COMMITTED/],
    ],
    [
      'echo as a string',
      { connectionString: PG_URL, engineConfig: { echo: 'yes' } },
      [/engineConfig\.echo: echo must be true, false or an array of: query, error/],
    ],
    [
      'echo with an unknown level',
      { connectionString: PG_URL, engineConfig: { echo: ['query', 'sql'] } },
      [/engineConfig\.echo: echo must be true, false or an array/],
    ],
    [
      'engineConfig that is not an object',
      { connectionString: PG_URL, engineConfig: 'pool_size=5' },
      [/engineConfig must be an object \(got "pool_size=5"\)/],
    ],
    ['sessionConfig as an array', { connectionString: PG_URL, sessionConfig: [] }, [/sessionConfig must be an object/]],
    [
      'migrationConfig as null',
      { connectionString: PG_URL, migrationConfig: null },
      [/migrationConfig must be an object/],
    ],
    [
      'connectArgs that is not an object',
      { connectionString: PG_URL, engineConfig: { connectArgs: 'sslmode=require' } },
      [/engineConfig\.connectArgs: connectArgs must be an object/],
    ],
    [
      'createDataSource that is not a function',
      { connectionString: PG_URL, createDataSource: { type: 'postgres' } },
      [/createDataSource: createDataSource must be a function/],
    ],
    [
      'DataSource options instead of a DataSource',
      { dataSource: { type: 'postgres', url: PG_URL } },
      [/dataSource must be a TypeORM DataSource instance \(new DataSource\(\{\.\.\.\}\)\)/],
    ],
    [
      'entities as a single glob string',
      { connectionString: PG_URL, entities: 'dist/**/*.entity.js' },
      [/entities must be an array of entity classes, EntitySchema objects or glob paths/],
    ],
    ['createAll as a string', { connectionString: PG_URL, createAll: 'true' }, [/createAll must be a boolean value/]],
    [
      'enableTouchUpdatedTimestampListener as a number',
      { connectionString: PG_URL, enableTouchUpdatedTimestampListener: 1 },
      [/enableTouchUpdatedTimestampListener must be a boolean value/],
    ],
    [
      'sessionConfig.autoBegin as a string',
      { connectionString: PG_URL, sessionConfig: { autoBegin: 'yes' } },
      [/sessionConfig\.autoBegin: autoBegin must be a boolean value/],
    ],
    [
      'sessionConfig.info as a number',
      { connectionString: PG_URL, sessionConfig: { info: 3 } },
      [/sessionConfig\.info: info must be an object/],
    ],
    [
      'a qualified versionTableName',
      { connectionString: PG_URL, migrationConfig: { versionTableName: 'public.migrations' } },
      [/migrationConfig\.versionTableName: versionTableName must be a plain SQL identifier/],
    ],
    [
      'a versionTableSchema with a dash',
      { connectionString: PG_URL, migrationConfig: { versionTableSchema: 'app-schema' } },
      [/migrationConfig\.versionTableSchema: versionTableSchema must be a plain SQL identifier/],
    ],
    [
      'runOnStartup as a string',
      { connectionString: PG_URL, migrationConfig: { runOnStartup: 'yes' } },
      [/migrationConfig\.runOnStartup: runOnStartup must be a boolean value/],
    ],
  ];

  it.each(cases)('rejects %s, naming the field and the fix', (_description, input, expected) => {
    const { message } = configError(input);
    for (const pattern of expected) expect(message).toMatch(pattern);
    expect(message).not.toContain(PASSWORD);
  });

  it('reports every wrong field of a config at once', () => {
    const { message } = configError({ connectionString: PG_URL, createAll: 'yes', engineConfig: { poolSize: 0 } });
    expect(message).toMatch(/createAll must be a boolean value/);
    expect(message).toMatch(/engineConfig\.poolSize/);
  });

  it('shows a malformed connectionString of another type without its password', () => {
    const { message } = configError({ connectionString: [PG_URL] });
    expect(message).toMatch(/connectionString must be a string/);
    expect(message).not.toContain(PASSWORD);
  });

  // Library bug: a config passed as the bare URL (e.g. forRootAsync's factory returning
  // config.get('DATABASE_URL')) is quoted whole in "must be an object (got …)", password included.
  it('rejects a bare connection string instead of a config object without showing its password', () => {
    const { message } = configError(PG_URL);
    expect(message).toMatch(/Configuration #1 must be an object/);
    expect(message).not.toContain(PASSWORD);
  });

  // Library bug: redactConnectionString only recognises scheme://user:password@, so a URL missing
  // its scheme or a slash is quoted with the password in "is not a URL (got …)".
  it.each([`app:${PASSWORD}@localhost:5432/app`, `postgresql:/app:${PASSWORD}@localhost/app`])(
    'rejects %s, which is not a URL, without showing its password',
    (connectionString) => {
      const { message } = configError({ connectionString });
      expect(message).toMatch(/is not a URL/);
      expect(message).not.toContain(PASSWORD);
    },
  );
});
