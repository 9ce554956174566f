import { Controller, Post, Query } from '@nestjs/common';
import { InjectSession, type Session } from 'nestjs-advanced-alchemy';
import {
  createTestDatabase,
  openProbe,
  testDatabaseKinds,
  type DatabaseProbe,
  type TestDatabase,
} from 'nestjs-advanced-alchemy/testing';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { send } from '../reliability/fixtures/http-load';
import { ReliabilityRow, ROWS_TABLE } from '../reliability/fixtures/reliability-row.entity';
import { startReliabilityApp, type ReliabilityApp } from '../reliability/fixtures/start-reliability-app';
import { eachKind } from '../support/each-kind';

const STATEMENT_TIMEOUT_MS = 400;
/** Sleeps well past the bind key's statement timeout, well within the raised one. */
const SLOW_SECONDS = 1;

const sleepSql = (session: Session, seconds: number) =>
  session.dataSource.options.type === 'postgres' ? `SELECT pg_sleep(${seconds})` : `SELECT SLEEP(${seconds})`;

@Controller('timeout')
class TimeoutController {
  constructor(@InjectSession() private readonly session: Session) {}

  /** Writes, then runs a statement longer than the statement timeout. */
  @Post('slow') async slow(@Query('marker') marker: string) {
    await this.session.getRepository(ReliabilityRow).insert({ marker });
    await this.session.query(sleepSql(this.session, SLOW_SECONDS));
    return { marker };
  }

  /** The same, with the session's statement timeout raised first. */
  @Post('raised') async raised(@Query('marker') marker: string) {
    await this.session.setStatementTimeout(10_000);
    await this.session.getRepository(ReliabilityRow).insert({ marker });
    await this.session.query(sleepSql(this.session, SLOW_SECONDS));
    return { marker };
  }
}

/** A migration that runs longer than the bind key's statement timeout (an index build, say). */
function writeSlowMigration(directory: string, kind: string): void {
  const sleep = kind === 'postgres' ? `SELECT pg_sleep(${SLOW_SECONDS})` : `SELECT SLEEP(${SLOW_SECONDS})`;
  writeFileSync(
    join(directory, '1700000000000-slow.js'),
    `module.exports.Slow1700000000000 = class Slow1700000000000 {
  async up(queryRunner) { await queryRunner.query(${JSON.stringify(sleep)}); }
  async down() {}
};
`,
  );
}

const servers = testDatabaseKinds().filter((kind) => kind !== 'sqlite');

// A statement that runs past engineConfig.statementTimeout is cancelled by the database itself
// and the request answered 503, rolled back; a session may raise its own timeout, and the
// connection it used gets the bind key's back; migrations run without the timeout.
eachKind(servers)('statement timeout on %s', (kind) => {
  let database: TestDatabase;
  let probe: DatabaseProbe;
  let started: ReliabilityApp;
  let migrations: string;

  beforeAll(async () => {
    database = await createTestDatabase(kind, 'statement_timeout');
    probe = await openProbe(database.connectionString);
    migrations = mkdtempSync(join(tmpdir(), 'alchemy-slow-migration-'));
    writeSlowMigration(migrations, kind);
    started = await startReliabilityApp({
      connectionString: database.connectionString,
      // One connection: the request after a raised timeout gets the very connection it used.
      engineConfig: { poolSize: 1, statementTimeout: STATEMENT_TIMEOUT_MS },
      migrationConfig: { scriptLocation: migrations, runOnStartup: true },
      controllers: [TimeoutController],
    });
  }, 30_000);
  afterAll(async () => {
    await started?.stop();
    await probe?.close();
    await database?.drop();
    rmSync(migrations, { recursive: true, force: true });
  });

  it('applied a migration that runs longer than the statement timeout, at startup', async () => {
    expect(await probe.count('migrations', 'name = ?', ['Slow1700000000000'])).toBe(1);
  });

  it('cancels a statement past the timeout: 503 with Retry-After, the write rolled back', async () => {
    const answer = await send(started.url, 'POST', '/timeout/slow');
    expect(answer.status).toBe(503);
    expect(answer.retryAfter).toBe('1');
    expect(JSON.parse(answer.body).message).toMatch(
      new RegExp(
        `ran longer than its statement timeout \\(${STATEMENT_TIMEOUT_MS} ms\\).*engineConfig\\.statementTimeout`,
      ),
    );
    expect(await probe.count(ROWS_TABLE, 'marker = ?', [answer.marker])).toBe(0);
  });

  it('lets a session raise its timeout, and the next session on that connection has the bind key’s again', async () => {
    const raised = await send(started.url, 'POST', '/timeout/raised');
    expect(raised.status).toBe(201);
    expect(await probe.count(ROWS_TABLE, 'marker = ?', [raised.marker])).toBe(1);

    const next = await send(started.url, 'POST', '/timeout/slow');
    expect(next.status).toBe(503);
    expect(await probe.count(ROWS_TABLE, 'marker = ?', [next.marker])).toBe(0);
  });
});
