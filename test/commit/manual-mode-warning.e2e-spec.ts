import { Controller, Get, HttpException, Injectable, Module, Post, type INestApplication } from '@nestjs/common';
import request from 'supertest';
import { AdvancedAlchemyModule, InjectSession, type Session } from 'nestjs-advanced-alchemy';
import {
  createTestDatabase,
  openProbe,
  testDatabaseKinds,
  type DatabaseProbe,
  type TestDatabase,
} from 'nestjs-advanced-alchemy/testing';
import { CapturingLogger } from './fixtures/capturing-logger';
import { COMMIT_ROWS, CommitRow } from './fixtures/commit-row.entity';
import { newMarker } from './fixtures/markers';
import { RowWriter } from './fixtures/row-writer.service';
import { ADAPTERS, startHttpApp } from './fixtures/start-app';

/** Writes on the bind key that has the warning turned off. */
@Injectable()
class QuietWriter {
  constructor(@InjectSession('quiet') private readonly session: Session) {}

  async write(marker: string): Promise<void> {
    await this.session.getRepository(CommitRow).insert({ marker });
  }
}

@Controller('warn')
class WarningController {
  constructor(
    private readonly rows: RowWriter,
    private readonly quiet: QuietWriter,
    @InjectSession() private readonly session: Session,
  ) {}

  @Post('forgets/:marker') async forgets() {
    await this.rows.write(newMarker());
    await this.rows.write(newMarker());
    return { stored: false };
  }

  @Post('commits') async commits() {
    await this.rows.write(newMarker());
    await this.rows.commit();
    return { stored: true };
  }

  @Post('rolls-back') async rollsBack() {
    await this.rows.write(newMarker());
    await this.session.rollback();
    return { stored: false };
  }

  @Post('fails') async fails() {
    await this.rows.write(newMarker());
    throw new HttpException('refused after a write', 409);
  }

  @Get('reads') async reads() {
    return { rows: await this.session.getRepository(CommitRow).count() };
  }

  @Post('quiet') async quietWrite() {
    await this.quiet.write(newMarker());
    return { stored: false };
  }
}

// Manual mode never commits by itself: a handler that forgets session.commit() answers 201 and
// stores nothing. The module says so, once per route, through Nest's Logger.
describe.each(testDatabaseKinds())('the warning of manual mode on %s', (kind) => {
  let database: TestDatabase;
  let quietDatabase: TestDatabase;
  let probe: DatabaseProbe;

  beforeAll(async () => {
    database = await createTestDatabase(kind, 'manual_warning');
    quietDatabase = await createTestDatabase(kind, 'manual_warning_quiet');
  });
  afterAll(async () => {
    await probe?.close();
    await database?.drop();
    await quietDatabase?.drop();
  });

  describe.each(ADAPTERS)('on %s', (adapter) => {
    const logger = new CapturingLogger();
    let app: INestApplication;
    beforeAll(async () => {
      @Module({
        imports: [
          AdvancedAlchemyModule.forRoot([
            {
              connectionString: database.connectionString,
              entities: [CommitRow],
              createAll: true,
              commitMode: 'manual',
            },
            {
              bindKey: 'quiet',
              commitMode: 'manual',
              connectionString: quietDatabase.connectionString,
              entities: [CommitRow],
              createAll: true,
              warnOnUncommittedWrites: false,
            },
          ]),
        ],
        controllers: [WarningController],
        providers: [RowWriter, QuietWriter],
      })
      class ManualWarningModule {}
      app = await startHttpApp(ManualWarningModule, adapter, logger);
      // After the app: it creates the SQLite file.
      probe ??= await openProbe(database.connectionString);
    });
    afterAll(async () => {
      await app?.close();
    });
    beforeEach(() => logger.warnings.splice(0));

    const lostWrites = () => logger.warnings.filter((warning) => warning.includes('data-changing statement'));

    it('a 201 with writes nobody committed: one warning naming the bind key, the route, the count and the fix', async () => {
      const before = await probe.count(COMMIT_ROWS);
      await request(app.getHttpServer()).post('/warn/forgets/a').expect(201);
      expect(await probe.count(COMMIT_ROWS)).toBe(before);
      const [warning, ...others] = lostWrites();
      expect(others).toEqual([]);
      const route = adapter === 'express' ? 'POST /warn/forgets/:marker' : 'POST /warn/forgets/a';
      expect(warning).toContain(`${route} answered 201 but rolled back 2 data-changing statement(s)`);
      expect(warning).toContain('bind key "default"');
      expect(warning).toContain('session.commit()');
      expect(warning).toContain("commitMode: 'autocommit'");
      expect(warning).toContain('warnOnUncommittedWrites: false');
    });

    it('at most once per route', async () => {
      await request(app.getHttpServer()).post('/warn/forgets/a').expect(201);
      await request(app.getHttpServer()).post('/warn/forgets/a').expect(201);
      expect(lostWrites()).toEqual([]);
    });

    it('never when the handler committed, called rollback() itself, only read, or answered an error', async () => {
      await request(app.getHttpServer()).post('/warn/commits').expect(201);
      await request(app.getHttpServer()).post('/warn/rolls-back').expect(201);
      await request(app.getHttpServer()).get('/warn/reads').expect(200);
      await request(app.getHttpServer()).post('/warn/fails').expect(409);
      expect(lostWrites()).toEqual([]);
    });

    it('never on a bind key with warnOnUncommittedWrites: false', async () => {
      await request(app.getHttpServer()).post('/warn/quiet').expect(201);
      expect(lostWrites()).toEqual([]);
    });
  });
});
