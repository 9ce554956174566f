import { Controller, Inject, Post, Query } from '@nestjs/common';
import request from 'supertest';
import { InjectSession, type Session } from 'nestjs-advanced-alchemy';
import { poolState, testDatabaseKinds, useTestApp } from 'nestjs-advanced-alchemy/testing';
import { CapturingLogger } from './fixtures/capturing-logger';
import { COMMIT_ROWS, CommitRow } from './fixtures/commit-row.entity';
import {
  CHILDREN,
  createDeferredForeignKey,
  hasDeferredConstraints,
  insertOrphan,
} from './fixtures/deferred-foreign-key';
import { newMarker } from './fixtures/markers';
import { killIdleConnection } from './fixtures/doomed-write';
import { RowWriter } from './fixtures/row-writer.service';
import { RowsController } from './fixtures/rows.controller';

/** Kills a server connection by id from outside the application (MariaDB's way to lose one). */
const KILL_CONNECTION = Symbol('KILL_CONNECTION');
type KillConnection = (connectionId: number) => Promise<void>;

/** Accepted by PostgreSQL's trust authentication; it must never appear in what the module logs. */
const PASSWORD = 'S3cret-Pw-4711';

@Controller('failure')
class CommitFailureController {
  constructor(
    @InjectSession() private readonly session: Session,
    @Inject(KILL_CONNECTION) private readonly killConnection: KillConnection,
  ) {}

  @Post('orphan') async orphan(@Query('marker') marker: string) {
    await insertOrphan(this.session, marker);
    return { marker };
  }

  /** Writes, then has its own connection killed before returning: the COMMIT finds no connection. */
  @Post('killed') async killed(@Query('marker') marker: string) {
    await this.session.getRepository(CommitRow).insert({ marker });
    const [{ id }] = await this.session.query<Array<{ id: number | string }>>('SELECT CONNECTION_ID() AS id');
    await this.killConnection(Number(id));
    return { marker };
  }
}

describe.each(testDatabaseKinds())('a commit that fails, %s', (kind) => {
  const logger = new CapturingLogger();
  const testApp = useTestApp({
    kind,
    logger,
    label: 'commit_failure',
    entities: [CommitRow],
    // PostgreSQL (trust) accepts any password: the module is given one, to show it never logs it.
    config: (_bindKey, database) => {
      const url = new URL(database.connectionString);
      if (kind === 'postgres') url.password = PASSWORD;
      return kind === 'sqlite' ? {} : { connectionString: url.toString() };
    },
    controllers: [CommitFailureController, RowsController],
    providers: [
      RowWriter,
      {
        provide: KILL_CONNECTION,
        useValue: (id: number) => killIdleConnection(testApp.probe, id),
      },
    ],
  });
  beforeAll(async () => {
    if (hasDeferredConstraints(kind)) await createDeferredForeignKey(testApp.probe);
  });
  beforeEach(() => logger.errors.splice(0));

  const expectPoolIdle = () => {
    const pool = poolState(testApp.dataSource());
    if (pool) expect(pool).toEqual({ total: pool.total, idle: pool.total, waiting: 0 });
  };
  const expectStillServing = async () => {
    const marker = newMarker();
    await request(testApp.url).post(`/rows?marker=${marker}`).expect(201);
    expect(await testApp.probe.count(COMMIT_ROWS, 'marker = ?', [marker])).toBe(1);
  };

  // PostgreSQL and SQLite: a deferred foreign key makes the COMMIT itself fail.
  const deferred = hasDeferredConstraints(kind) ? it : it.skip;
  deferred('a deferred foreign key refusing the COMMIT: 500 with a JSON body, nothing stored', async () => {
    const marker = newMarker();
    const response = await request(testApp.url).post(`/failure/orphan?marker=${marker}`);

    expect(response.status).toBe(500);
    expect(response.headers['content-type']).toMatch(/application\/json/);
    expect(response.body).toEqual(
      expect.objectContaining({ statusCode: 500, message: expect.stringMatching(/could not be saved/) }),
    );
    expect(await testApp.probe.count(CHILDREN, 'marker = ?', [marker])).toBe(0);
    expectPoolIdle();
    await expectStillServing();
  });

  deferred('the failure is logged once, without the connection password', async () => {
    await request(testApp.url).post(`/failure/orphan?marker=${newMarker()}`).expect(500);

    expect(logger.errors).toHaveLength(1);
    expect(logger.errors[0]).not.toContain(PASSWORD);
    expect(logger.errors[0]).toMatch(/commit/i);
  });

  // MariaDB has no deferred constraint: its COMMIT fails when the connection is gone (a 503 then,
  // as the library tells a lost database from a refused commit). The connection was closed before the
  // COMMIT was sent, so the body says nothing was stored (a COMMIT lost in flight would say "may or may not").
  const killable = kind === 'mariadb' ? it : it.skip;
  killable('a connection lost before the COMMIT: 5xx with a JSON body, nothing stored, no hang', async () => {
    const marker = newMarker();
    const response = await request(testApp.url).post(`/failure/killed?marker=${marker}`);

    expect(response.status).toBeGreaterThanOrEqual(500);
    expect(response.status).toBeLessThan(600);
    expect(response.body).toEqual(
      expect.objectContaining({
        message: expect.stringMatching(/connection was lost before the changes were committed: nothing was stored/),
      }),
    );
    expect(await testApp.probe.count(COMMIT_ROWS, 'marker = ?', [marker])).toBe(0);
    expect(logger.errors).toHaveLength(1);
    expectPoolIdle();
    await expectStillServing();
    expectPoolIdle();
  });
});
