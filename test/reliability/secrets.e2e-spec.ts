import { Controller, Get } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import { AdvancedAlchemyModule, AlchemyHealthIndicator, type AlchemyConfigOptions } from 'nestjs-advanced-alchemy';
import {
  createTestDatabase,
  openProbe,
  serverUrl,
  testDatabaseKinds,
  type DatabaseProbe,
  type TestDatabase,
} from 'nestjs-advanced-alchemy/testing';
import { randomBytes } from 'node:crypto';
import { createDoomedCommitTables } from './fixtures/doomed-commit';
import { recordFigure } from './fixtures/figures';
import { runLoad, send, type Answer } from './fixtures/http-load';
import { ErrorRecordingInterceptor, SecretCapture } from './fixtures/secret-capture';
import { startReliabilityApp, type ReliabilityApp } from './fixtures/start-reliability-app';
import { startTcpProxy, throughProxy, type TcpProxy } from './fixtures/tcp-proxy';
import { eachKind } from '../support/each-kind';

const PASSWORD = 'Sup3r-S3cret!';
/** MariaDB only: a login refused for this wrong password must not show it either. */
const WRONG_PASSWORD = 'Wr0ng-S3cret?';
const ROUTES = ['ok', 'throw', 'missing', 'doomed'].map((route) => `/rel/${route}`);

@Controller('health')
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: AlchemyHealthIndicator,
  ) {}

  @Get() check() {
    return this.health.check([() => this.database.pingCheck('database', { timeout: 500 })]);
  }
}

const servers = testDatabaseKinds().filter((kind) => kind !== 'sqlite');

// A connection password must not appear in anything the application lets out: log lines (the
// Nest logger, TypeORM's echo of every query), console and stdout/stderr, the message and stack of
// every error thrown (and of their causes), the health check's output, the bodies of 5xx answers;
// neither while all is well, nor while the database is unreachable, nor when startup fails.
// (SQLite URLs carry no password.)
eachKind(servers)('secrets on %s', (kind) => {
  const capture = new SecretCapture();
  const user = kind === 'postgres' ? 'postgres' : `rel_secret_${randomBytes(3).toString('hex')}`;
  let database: TestDatabase;
  let admin: DatabaseProbe;
  let proxy: TcpProxy;
  let passwordUrl: string;
  beforeAll(async () => {
    database = await createTestDatabase(kind, 'rel_secrets');
    admin = await openProbe(database.connectionString);
    await createDoomedCommitTables(admin);
    if (kind === 'mariadb') {
      // PostgreSQL's trust authentication accepts any password; MariaDB gets a user that needs one.
      const name = new URL(database.connectionString).pathname.slice(1);
      await admin.query(`CREATE USER '${user}'@'%' IDENTIFIED BY '${PASSWORD}'`);
      await admin.query(`GRANT ALL ON \`${name}\`.* TO '${user}'@'%'`);
    }
    proxy = await startTcpProxy(Number(new URL(serverUrl(kind)).port || (kind === 'postgres' ? 5432 : 3306)));
    passwordUrl = withCredentials(throughProxy(database.connectionString, proxy), user, PASSWORD);
  });
  afterAll(async () => {
    capture.uninstall();
    await proxy?.close();
    if (kind === 'mariadb') await admin?.query(`DROP USER IF EXISTS '${user}'@'%'`);
    await admin?.close();
    await database?.drop();
  });

  /** Starting must fail (forRoot throwing, or compile rejecting); records the error. */
  const failedStart = async (config: AlchemyConfigOptions, source: string): Promise<void> => {
    let failure: unknown = new Error(`${source}: the application started`);
    try {
      const moduleRef = await Test.createTestingModule({ imports: [AdvancedAlchemyModule.forRoot(config)] })
        .setLogger(capture)
        .compile();
      await moduleRef.close();
    } catch (error) {
      failure = error;
    }
    capture.recordError(source, failure);
  };

  it('no password anywhere: normal run, database cut, health check, failed startups', async () => {
    const answers: Answer[] = [];
    const health: Answer[] = [];
    let started: ReliabilityApp | undefined;
    capture.install();
    try {
      started = await startReliabilityApp({
        connectionString: passwordUrl,
        logger: capture,
        engineConfig: {
          echo: true,
          poolTimeout: 1_000,
          connectArgs: kind === 'postgres' ? { connectionTimeoutMillis: 1_000 } : { connectTimeout: 1_000 },
        },
        kill: (id) => admin.query(`KILL CONNECTION ${id}`).then(() => undefined),
        imports: [TerminusModule],
        controllers: [HealthController],
        // The module itself provides AlchemyHealthIndicator.
        providers: [{ provide: APP_INTERCEPTOR, useValue: new ErrorRecordingInterceptor(capture) }],
      });
      const { url, gate } = started;
      const load = (total: number) => runLoad(total, { base: url, concurrency: 8, routeOf: (i) => ROUTES[i % 4] });

      answers.push(...(await load(40)));
      health.push(await send(url, 'GET', '/health'));

      // The database goes away: a commit loses its connection, requests and the health check fail.
      const held = send(url, 'POST', '/rel/held');
      await gate.whenHeld(1);
      await proxy.cut();
      gate.releaseAll();
      answers.push(await held, ...(await load(20)));
      health.push(await send(url, 'GET', '/health'));
      // A startup against the closed port, while it is closed.
      await failedStart({ bindKey: 'unreachable', connectionString: passwordUrl }, 'startup.unreachable');
      await proxy.restore();
      answers.push(...(await load(20)));
    } finally {
      await started?.stop();
      capture.uninstall();
    }

    // Configurations refused before connecting, and (MariaDB) a login refused for a wrong password.
    await failedStart({ connectionString: passwordUrl.replace(/^\w+:/, 'postgresq:') }, 'startup.scheme');
    await failedStart({ connectionString: `${passwordUrl}?sslmode=maybe` }, 'startup.parameter');
    if (kind === 'mariadb') {
      const wrong = withCredentials(database.connectionString, user, WRONG_PASSWORD);
      await failedStart({ connectionString: wrong }, 'startup.login');
    }
    for (const answer of [...answers, ...health]) capture.add(`body ${answer.status}`, answer.body);

    recordFigure('secrets', `${kind} pieces of output captured`, capture.captured.length);
    expect(capture.containing(PASSWORD)).toEqual([]);
    expect(capture.containing(WRONG_PASSWORD)).toEqual([]);

    // The capture did see what the test meant it to see; otherwise the check above proves nothing.
    expect(new Set(answers.map((answer) => answer.status))).toEqual(new Set([201, 404, 500, 503]));
    expect(health.map((answer) => answer.status)).toEqual([200, 503]);
    expect(capture.text('body 503')).toMatch(/"status":"down"/);
    expect(capture.text('console')).toMatch(/INSERT INTO/); // TypeORM's echo of the queries
    expect(capture.text('logger')).toMatch(/Commit failed/); // the module's log of the lost commit
    expect(capture.text('thrown')).toMatch(/ECONNREFUSED|cannot be reached/);
    expect(capture.text('startup.unreachable.message')).toMatch(new RegExp(`${user}:\\*\\*\\*@127\\.0\\.0\\.1`));
    expect(capture.text('startup.scheme.message')).toMatch(/unknown scheme/);
    if (kind === 'mariadb') expect(capture.text('startup.login.message')).toMatch(/Access denied/);
  }, 60_000);
});

function withCredentials(connectionString: string, user: string, password: string): string {
  const url = new URL(connectionString);
  url.username = user;
  url.password = password;
  return url.toString();
}
