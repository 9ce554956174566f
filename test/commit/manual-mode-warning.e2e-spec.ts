import { Controller, HttpException, Inject, Post } from '@nestjs/common';
import request from 'supertest';
import { InjectSession, type Session } from 'nestjs-advanced-alchemy';
import { testDatabaseKinds, useTestApp } from 'nestjs-advanced-alchemy/testing';
import { CapturingLogger } from './fixtures/capturing-logger';
import { COMMIT_ROWS, CommitRow } from './fixtures/commit-row.entity';
import { newMarker } from './fixtures/markers';
import { RowWriter } from './fixtures/row-writer.service';
import { SessionEndingRoutes, writerOn } from './fixtures/manual-routes';
import { ADAPTERS } from './fixtures/start-app';

/** Writes on the bind key "quiet". */
const QuietWriter = writerOn('quiet');

@Controller('warn')
class WarningController extends SessionEndingRoutes {
  constructor(
    rows: RowWriter,
    @Inject(QuietWriter) private readonly quiet: InstanceType<typeof QuietWriter>,
    @InjectSession() session: Session,
  ) {
    super(rows, session);
  }

  @Post('forgets/:marker') async forgets() {
    await this.rows.write(newMarker());
    await this.rows.write(newMarker());
    return { stored: false };
  }

  @Post('fails') async fails() {
    await this.rows.write(newMarker());
    throw new HttpException('refused after a write', 409);
  }

  @Post('quiet') async quietWrite() {
    await this.quiet.write(newMarker());
    return { stored: false };
  }
}

// Manual mode never commits by itself: a handler that forgets session.commit() answers 201 and
// stores nothing. The module says so, once per route, through Nest's Logger.
describe.each(testDatabaseKinds())('the warning of manual mode on %s', (kind) => {
  describe.each(ADAPTERS)('on %s', (http) => {
    const logger = new CapturingLogger();
    const testApp = useTestApp({
      kind,
      http,
      logger,
      label: 'manual_warning',
      bindKeys: ['default', 'quiet'],
      entities: [CommitRow],
      config: (bindKey) => ({ commitMode: 'manual', warnOnUncommittedWrites: bindKey !== 'quiet' }),
      controllers: [WarningController],
      providers: [RowWriter, QuietWriter],
    });
    beforeEach(() => logger.warnings.splice(0));

    const lostWrites = () => logger.warnings.filter((warning) => warning.includes('data-changing statement'));

    it('a 201 with writes nobody committed: one warning naming the bind key, the route, the count and the fix', async () => {
      const before = await testApp.probe.count(COMMIT_ROWS);
      await request(testApp.url).post('/warn/forgets/a').expect(201);
      expect(await testApp.probe.count(COMMIT_ROWS)).toBe(before);
      const [warning, ...others] = lostWrites();
      expect(others).toEqual([]);
      const route = http === 'express' ? 'POST /warn/forgets/:marker' : 'POST /warn/forgets/a';
      expect(warning).toContain(`${route} answered 201 but rolled back 2 data-changing statement(s)`);
      expect(warning).toContain('bind key "default"');
      expect(warning).toContain('session.commit()');
      expect(warning).toContain("commitMode: 'autocommit'");
      expect(warning).toContain('warnOnUncommittedWrites: false');
    });

    it('at most once per route', async () => {
      await request(testApp.url).post('/warn/forgets/a').expect(201);
      await request(testApp.url).post('/warn/forgets/a').expect(201);
      expect(lostWrites()).toEqual([]);
    });

    it('never when the handler committed, called rollback() itself, only read, or answered an error', async () => {
      await request(testApp.url).post('/warn/commits').expect(201);
      await request(testApp.url).post('/warn/rolls-back').expect(201);
      await request(testApp.url).get('/warn/reads').expect(200);
      await request(testApp.url).post('/warn/fails').expect(409);
      expect(lostWrites()).toEqual([]);
    });

    it('never on a bind key with warnOnUncommittedWrites: false', async () => {
      await request(testApp.url).post('/warn/quiet').expect(201);
      expect(lostWrites()).toEqual([]);
    });
  });
});
