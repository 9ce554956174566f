import { Controller, Get, Inject, Module, Post, Query, type INestApplication } from '@nestjs/common';
import request from 'supertest';
import {
  AdvancedAlchemyModule,
  getDataSourceToken,
  InjectSession,
  type CommitMode,
  type Session,
} from 'nestjs-advanced-alchemy';
import {
  createTestDatabase,
  openProbe,
  testDatabaseKinds,
  type DatabaseProbe,
  type TestDatabase,
  poolState,
} from 'nestjs-advanced-alchemy/testing';
import type { DataSource } from 'typeorm';
import { COMMIT_ROWS, CommitRow } from './fixtures/commit-row.entity';
import { createDeferredForeignKey, hasDeferredConstraints } from './fixtures/deferred-foreign-key';
import { doomedRowTable, writeDoomedRow } from './fixtures/doomed-write';
import { newMarker } from './fixtures/markers';
import { SessionTracker } from './fixtures/session-tracker';
import { startHttpApp } from './fixtures/start-app';

const PROBE = Symbol('PROBE');

/** Writes through two bind keys; 'default' is declared first, 'audit' second. */
@Controller('multi')
class TwoBindsController {
  constructor(
    @InjectSession() private readonly main: Session,
    @InjectSession('audit') private readonly audit: Session,
    @Inject(PROBE) private readonly probe: () => DatabaseProbe,
  ) {}

  @Post('both') async both(@Query('marker') marker: string) {
    await this.main.getRepository(CommitRow).insert({ marker });
    await this.audit.getRepository(CommitRow).insert({ marker });
  }

  @Post('default-only') async defaultOnly(@Query('marker') marker: string) {
    await this.main.getRepository(CommitRow).insert({ marker });
  }

  @Get('nothing') nothing() {
    return { touched: 'no database' };
  }

  // 'audit' is used first, yet 'default' commits first: the order is the declaration order.
  @Post('first-fails') async firstFails(@Query('marker') marker: string) {
    await this.audit.getRepository(CommitRow).insert({ marker });
    await writeDoomedRow(this.main, marker, this.probe());
  }

  @Post('second-fails') async secondFails(@Query('marker') marker: string) {
    await this.main.getRepository(CommitRow).insert({ marker });
    await writeDoomedRow(this.audit, marker, this.probe());
  }
}

describe.each(testDatabaseKinds())('several bind keys in one request, %s', (kind) => {
  let mainDatabase: TestDatabase;
  let auditDatabase: TestDatabase;
  let mainProbe: DatabaseProbe;
  let auditProbe: DatabaseProbe;
  beforeAll(async () => {
    mainDatabase = await createTestDatabase(kind, 'multi_main');
    auditDatabase = await createTestDatabase(kind, 'multi_audit');
  });
  afterAll(async () => {
    await mainProbe?.close();
    await auditProbe?.close();
    await mainDatabase?.drop();
    await auditDatabase?.drop();
  });

  async function startTwoBindApp(mainMode: CommitMode, auditMode: CommitMode) {
    const trackers = { main: new SessionTracker(), audit: new SessionTracker() };
    @Module({
      imports: [
        AdvancedAlchemyModule.forRoot([
          {
            connectionString: mainDatabase.connectionString,
            entities: [CommitRow],
            createAll: true,
            commitMode: mainMode,
            createDataSource: trackers.main.createDataSource,
          },
          {
            bindKey: 'audit',
            connectionString: auditDatabase.connectionString,
            entities: [CommitRow],
            createAll: true,
            commitMode: auditMode,
            createDataSource: trackers.audit.createDataSource,
          },
        ]),
      ],
      controllers: [TwoBindsController],
      providers: [{ provide: PROBE, useValue: () => mainProbe }],
    })
    class TwoBindModule {}
    const app = await startHttpApp(TwoBindModule, 'express');
    mainProbe ??= await openProbe(mainDatabase.connectionString);
    auditProbe ??= await openProbe(auditDatabase.connectionString);
    return { app, trackers };
  }
  const rows = (probe: DatabaseProbe, marker: string, table = COMMIT_ROWS) =>
    probe.count(table, 'marker = ?', [marker]);

  describe("'default' autocommit, 'audit' manual", () => {
    let app: INestApplication;
    let trackers: { main: SessionTracker; audit: SessionTracker };
    beforeAll(async () => ({ app, trackers } = await startTwoBindApp('autocommit', 'manual')));
    afterAll(() => app?.close());

    it('each bind key follows its own mode: only default is committed', async () => {
      const marker = newMarker();
      await request(app.getHttpServer()).post(`/multi/both?marker=${marker}`).expect(201);

      expect(await rows(mainProbe, marker)).toBe(1);
      expect(await rows(auditProbe, marker)).toBe(0);
      expect(trackers.audit.sent(marker)).toBe(true); // written, then rolled back by manual mode
    });

    it('a bind key the request never touched opens no connection and sends nothing', async () => {
      const audit = app.get<DataSource>(getDataSourceToken('audit'));
      const openedBefore = trackers.audit.opened;
      const statementsBefore = trackers.audit.statements.length;
      const poolBefore = poolState(audit);
      const marker = newMarker();
      await request(app.getHttpServer()).post(`/multi/default-only?marker=${marker}`).expect(201);
      await request(app.getHttpServer()).get('/multi/nothing').expect(200);

      expect(trackers.audit.opened).toBe(openedBefore);
      expect(trackers.audit.statements.length).toBe(statementsBefore); // no BEGIN, no COMMIT
      expect(poolState(audit)).toEqual(poolBefore);
      expect(await rows(mainProbe, marker)).toBe(1);
    });

    it('a request touching no bind key at all sends nothing to either', async () => {
      const sent = trackers.main.statements.length + trackers.audit.statements.length;
      const opened = trackers.main.opened + trackers.audit.opened;
      await request(app.getHttpServer()).get('/multi/nothing').expect(200);

      expect(trackers.main.statements.length + trackers.audit.statements.length).toBe(sent);
      expect(trackers.main.opened + trackers.audit.opened).toBe(opened);
    });
  });

  describe('both autocommit: commits run in declaration order', () => {
    let app: INestApplication;
    beforeAll(async () => {
      ({ app } = await startTwoBindApp('autocommit', 'autocommit'));
      if (hasDeferredConstraints(kind)) {
        await createDeferredForeignKey(mainProbe);
        await createDeferredForeignKey(auditProbe);
      }
    });
    afterAll(() => app?.close());

    it('the first commit fails: the second bind key is rolled back, the client gets a 5xx', async () => {
      const marker = newMarker();
      const response = await request(app.getHttpServer()).post(`/multi/first-fails?marker=${marker}`);

      expect(response.status).toBeGreaterThanOrEqual(500);
      // A refused commit (deferred FK) says nothing was saved; a killed connection (MariaDB) says the outcome is unknown.
      expect(response.body).toEqual(
        expect.objectContaining({
          message: expect.stringMatching(/could not be saved|may or may not have been stored/),
        }),
      );
      expect(await rows(mainProbe, marker, doomedRowTable(kind))).toBe(0);
      expect(await rows(auditProbe, marker)).toBe(0);
    });

    it('the second commit fails: the first is already committed and stays (documented; twophase is the future fix)', async () => {
      const marker = newMarker();
      const response = await request(app.getHttpServer()).post(`/multi/second-fails?marker=${marker}`);

      expect(response.status).toBeGreaterThanOrEqual(500);
      expect(await rows(auditProbe, marker, doomedRowTable(kind))).toBe(0);
      expect(await rows(mainProbe, marker)).toBe(1);
    });
  });
});
