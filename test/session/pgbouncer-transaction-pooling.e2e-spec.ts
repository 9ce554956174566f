import { ConsoleLogger, Controller, Module, Post, Query } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AdvancedAlchemyModule, DatabaseStartupError, InjectSession, type Session } from 'nestjs-advanced-alchemy';
import { openProbe, type DatabaseProbe } from 'nestjs-advanced-alchemy/testing';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAcknowledged, runLoad, send, summary } from '../reliability/fixtures/http-load';
import { ROWS_TABLE } from '../reliability/fixtures/reliability-row.entity';
import { startReliabilityApp, type ReliabilityApp } from '../reliability/fixtures/start-reliability-app';
import { pgBouncerInstalled } from './fixtures/pgbouncer';
import { PoolerController, ReadOnlyReport } from './fixtures/pooler-controller';
import {
  DEFAULT_POOL_SIZE,
  settingsSeenThroughPooler,
  startPoolerServers,
  type PoolerServers,
} from './fixtures/pooler-servers';

// The module behind PgBouncer 1.18 in transaction pooling (3 server connections per database, the
// application's pool 10): its defaults start, the statement timeout still answers 503, commits
// and rollbacks are exact under load, migrations and two-phase commit work, and no setting of
// the module stays on a server connection that a plain client of the pooler is given next.

const STATEMENT_TIMEOUT_MS = 400;
const describeWithPgBouncer = pgBouncerInstalled() ? describe : describe.skip;

jest.setTimeout(60_000);

describeWithPgBouncer('behind PgBouncer in transaction pooling', () => {
  let servers: PoolerServers;
  let probe: DatabaseProbe;
  let started: ReliabilityApp;
  let migrations: string;

  beforeAll(async () => {
    servers = await startPoolerServers(['app', 'tp_a', 'tp_b']);
    probe = await openProbe(servers.directUrl('app'));
    migrations = mkdtempSync(join(tmpdir(), 'alchemy-pooled-migration-'));
    // Longer than the statement timeout, and it checks that no timeout bounds it.
    writeFileSync(
      join(migrations, '1700000000000-slow.js'),
      `module.exports.Slow1700000000000 = class Slow1700000000000 {
  async up(queryRunner) { await queryRunner.query('SELECT pg_sleep(1)'); await queryRunner.query('CREATE TABLE migrated (id int)'); }
  async down(queryRunner) { await queryRunner.query('DROP TABLE migrated'); }
};
`,
    );
    started = await startReliabilityApp({
      connectionString: servers.bouncer.url('app'),
      engineConfig: { statementTimeout: STATEMENT_TIMEOUT_MS },
      migrationConfig: { scriptLocation: migrations, runOnStartup: true },
      controllers: [PoolerController],
      providers: [ReadOnlyReport],
      logger: false,
    });
  }, 60_000);
  afterAll(async () => {
    await started?.stop();
    await probe?.close();
    await servers?.stop();
    if (migrations) rmSync(migrations, { recursive: true, force: true });
  }, 30_000);

  it('started with a statement timeout and ran the startup migrations through the pooler', async () => {
    expect(await probe.count('migrations', 'name = $1', ['Slow1700000000000'])).toBe(1);
    expect(await probe.count('migrated')).toBe(0);
  });

  it('starts with the default configuration (no engineConfig at all)', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [AdvancedAlchemyModule.forRoot({ connectionString: servers.bouncer.url('app') })],
    }).compile();
    const app = await moduleRef.init();
    await app.close();
  });

  it('names engineConfig.transactionPooler when told the pooler is not one and it refuses the timeout', async () => {
    const starting = Test.createTestingModule({
      imports: [
        AdvancedAlchemyModule.forRoot({
          connectionString: servers.bouncer.url('app'),
          engineConfig: { transactionPooler: false },
        }),
      ],
    })
      .compile()
      .then((moduleRef) => moduleRef.init());
    const failure = await starting.then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(DatabaseStartupError);
    expect((failure as Error).message).toMatch(
      /unsupported startup parameter: statement_timeout.*set engineConfig\.transactionPooler: true/,
    );
  });

  it('200 concurrent requests, half failing: a row exactly for each 2xx', async () => {
    const answers = await runLoad(200, {
      base: started.url,
      concurrency: 50,
      routeOf: (index) => (index % 2 === 0 ? '/rel/ok' : '/rel/throw'),
    });
    const acknowledged = answers.filter(isAcknowledged);
    expect(answers.filter((answer) => !isAcknowledged(answer) && answer.status !== 500).map(summary)).toEqual([]);
    expect(acknowledged).toHaveLength(100);
    const stored = await probe.query<{ marker: string }>(`SELECT marker FROM ${ROWS_TABLE}`);
    expect(new Set(stored.map((row) => row.marker))).toEqual(new Set(acknowledged.map((answer) => answer.marker)));
  });

  it('uses at most default_pool_size server connections while its own pool (10) is busy', async () => {
    const serverConnections = async () =>
      Number(
        (
          await probe.query<{ n: string }>(
            "SELECT count(*)::text AS n FROM pg_stat_activity WHERE datname = 'app' AND pid <> pg_backend_pid()",
          )
        )[0].n,
      );
    let most = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        most = Math.max(most, await serverConnections());
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const answers = await runLoad(200, { base: started.url, concurrency: 50, routeOf: () => '/rel/ok' });
    sampling = false;
    await sampler;
    expect(answers.filter((answer) => !isAcknowledged(answer)).map(summary)).toEqual([]);
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(DEFAULT_POOL_SIZE);
  });

  it('still cancels a statement past the statement timeout: 503, the write rolled back', async () => {
    const answer = await send(started.url, 'POST', '/pooled/slow');
    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.body).message).toMatch(/ran longer than its statement timeout \(400 ms\)/);
    expect(await probe.count(ROWS_TABLE, 'marker = $1', [answer.marker])).toBe(0);
  });

  it('setStatementTimeout raises the timeout of the session only', async () => {
    const raised = await send(started.url, 'POST', '/pooled/raised');
    expect(raised.status).toBe(201);
    expect(await probe.count(ROWS_TABLE, 'marker = $1', [raised.marker])).toBe(1);
    expect((await send(started.url, 'POST', '/pooled/slow')).status).toBe(503);
  });

  it('a read-only serializable unit gets its characteristics and the timeout inside its transaction', async () => {
    const answer = await send(started.url, 'GET', '/pooled/read-only');
    expect(JSON.parse(answer.body)).toEqual({
      isolation: 'serializable',
      read_only: 'on',
      statement_timeout: `${STATEMENT_TIMEOUT_MS}ms`,
    });
  });

  it('leaves no setting of its own on a server connection: a plain client of the pooler sees none', async () => {
    // Everything above ran; once more the paths that change settings, then look.
    await send(started.url, 'POST', '/pooled/raised');
    await send(started.url, 'GET', '/pooled/read-only');
    const seen = await settingsSeenThroughPooler(servers.bouncer, 'app');
    expect(new Set(seen.map((settings) => settings.pid)).size).toBe(seen.length);
    for (const settings of seen) {
      expect(settings).toMatchObject({
        statement_timeout: '0',
        isolation: 'read committed',
        read_only: 'off',
        advisory_locks: '0',
      });
    }
  });

  describe('two-phase commit across two bind keys through the pooler', () => {
    @Controller('tp')
    class TwoPhaseController {
      constructor(
        @InjectSession('a') private readonly a: Session,
        @InjectSession('b') private readonly b: Session,
      ) {}

      @Post() async both(@Query('marker') marker: string, @Query('fail') fail?: string) {
        await this.a.query('INSERT INTO tp_rows (marker) VALUES ($1)', [marker]);
        await this.b.query('INSERT INTO tp_rows (marker) VALUES ($1)', [marker]);
        if (fail) throw new Error('failing on purpose after writing to both');
        return { marker };
      }
    }

    /** The application's error log. */
    class ErrorLog extends ConsoleLogger {
      readonly lines: string[] = [];
      override error(message: unknown): void {
        this.lines.push(String(message));
      }
      override log(): void {}
      override warn(): void {}
    }
    const errors = new ErrorLog();
    let app: ReliabilityApp['app'] | undefined;
    let base: string;
    let probes: DatabaseProbe[] = [];

    beforeAll(async () => {
      probes = [await openProbe(servers.directUrl('tp_a')), await openProbe(servers.directUrl('tp_b'))];
      for (const each of probes) await each.query('CREATE TABLE tp_rows (marker varchar(64) PRIMARY KEY)');
      // On "b", rows marked "refuse…" fail at PREPARE TRANSACTION (deferred triggers run there).
      await probes[1].query(
        'CREATE FUNCTION tp_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ' +
          "IF NEW.marker LIKE 'refuse%' THEN RAISE EXCEPTION 'refused at prepare'; END IF; RETURN NULL; END $$",
      );
      await probes[1].query(
        'CREATE CONSTRAINT TRIGGER tp_refuse AFTER INSERT ON tp_rows DEFERRABLE INITIALLY DEFERRED ' +
          'FOR EACH ROW EXECUTE FUNCTION tp_refuse()',
      );
      const bind = (bindKey: string, database: string) => ({
        bindKey,
        connectionString: servers.bouncer.url(database),
        commitMode: 'autocommit' as const,
        engineConfig: { statementTimeout: STATEMENT_TIMEOUT_MS, transactionPooler: true },
        sessionConfig: { twophase: true },
      });
      @Module({
        imports: [AdvancedAlchemyModule.forRoot([bind('a', 'tp_a'), bind('b', 'tp_b')])],
        controllers: [TwoPhaseController],
      })
      class TwoPhaseModule {}
      const moduleRef = await Test.createTestingModule({ imports: [TwoPhaseModule] }).compile();
      app = moduleRef.createNestApplication({ logger: errors });
      await app.listen(0, '127.0.0.1');
      base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    });
    afterAll(async () => {
      await app?.close();
      for (const each of probes) await each.close();
    });

    const rowsOf = async (marker: string) =>
      Promise.all(probes.map((each) => each.count('tp_rows', 'marker = $1', [marker])));
    const prepared = async () =>
      Promise.all(probes.map(async (each) => (await each.query('SELECT gid FROM pg_prepared_xacts')).length));

    it('commits both (PREPARE TRANSACTION, then COMMIT PREPARED on whichever server connection)', async () => {
      const answers = await Promise.all(Array.from({ length: 20 }, () => send(base, 'POST', '/tp')));
      expect(answers.filter((answer) => answer.status !== 201).map(summary)).toEqual([]);
      for (const answer of answers) expect(await rowsOf(answer.marker)).toEqual([1, 1]);
      expect(await prepared()).toEqual([0, 0]);
    });

    it('rolls back both when the request fails', async () => {
      const answer = await send(base, 'POST', '/tp', undefined, undefined);
      const failed = await fetch(`${base}/tp?marker=failed&fail=1`, { method: 'POST' });
      expect(answer.status).toBe(201);
      expect(failed.status).toBe(500);
      expect(await rowsOf('failed')).toEqual([0, 0]);
      expect(await prepared()).toEqual([0, 0]);
    });

    it('a participant refusing PREPARE: 500, nothing stored, and the log says the client got 500', async () => {
      const refused = await send(base, 'POST', '/tp', undefined, 'refuse-1');
      expect(refused.status).toBe(500);
      expect(await rowsOf('refuse-1')).toEqual([0, 0]);
      expect(await prepared()).toEqual([0, 0]);
      const logged = errors.lines.filter((line) => line.includes('refused at prepare'));
      expect(logged).toEqual([
        expect.stringContaining(
          'Two-phase commit of bind keys "a", "b" failed after the request\'s handler answered 201; ' +
            'the client is answered 500 instead',
        ),
      ]);
      expect(logged.join('\n')).not.toContain('undefined');
    });
  });
});
