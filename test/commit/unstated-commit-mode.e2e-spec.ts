import { Controller, Inject, Post } from '@nestjs/common';
import request from 'supertest';
import { InjectSession, type Session } from 'nestjs-advanced-alchemy';
import { testDatabaseKinds, useTestApp } from 'nestjs-advanced-alchemy/testing';
import { CapturingLogger } from './fixtures/capturing-logger';
import { COMMIT_ROWS, CommitRow } from './fixtures/commit-row.entity';
import { newMarker } from './fixtures/markers';
import { RowWriter } from './fixtures/row-writer.service';
import { SessionEndingRoutes, writerOn } from './fixtures/manual-routes';
import { ADAPTERS } from './fixtures/start-app';

/** Writes on the bind key "stated". */
const StatedManualWriter = writerOn('stated');

@Controller('unstated')
class UnstatedController extends SessionEndingRoutes {
  constructor(
    rows: RowWriter,
    @Inject(StatedManualWriter) private readonly stated: InstanceType<typeof StatedManualWriter>,
    @InjectSession() session: Session,
  ) {
    super(rows, session);
  }

  @Post('forgets/:marker') async forgets() {
    await this.rows.write(newMarker());
    return { id: 1 };
  }

  @Post('stated') async statedWrite() {
    await this.stated.write(newMarker());
    return { stored: false };
  }
}

// A bind key whose commitMode nobody stated gets the seed's 'manual', which rolls back what the
// handler did not commit. An application moved from @nestjs/typeorm (which committed each save)
// would answer 201 and store nothing: the module refuses that answer, loudly, in every environment.
describe.each(testDatabaseKinds())('a write under an unstated commitMode on %s', (kind) => {
  describe.each(ADAPTERS)('on %s', (http) => {
    const logger = new CapturingLogger();
    const testApp = useTestApp({
      kind,
      http,
      logger,
      label: 'unstated_mode',
      bindKeys: ['default', 'stated'],
      entities: [CommitRow],
      config: (bindKey) => ({ commitMode: bindKey === 'stated' ? 'manual' : undefined }),
      controllers: [UnstatedController],
      providers: [RowWriter, StatedManualWriter],
    });
    beforeEach(() => {
      logger.errors.splice(0);
      logger.warnings.splice(0);
    });

    it('records that the commitMode was not stated, and that the other one was', () => {
      const [unstated, stated] = testApp.alchemy.config;
      expect([unstated.commitMode, unstated.commitModeStated]).toEqual(['manual', false]);
      expect([stated.commitMode, stated.commitModeStated]).toEqual(['manual', true]);
    });

    it('a write nobody committed answers 500 naming the bind key, the route and the fix; nothing is stored', async () => {
      const before = await testApp.probe.count(COMMIT_ROWS);
      const response = await request(testApp.url).post('/unstated/forgets/a').expect(500);
      expect(await testApp.probe.count(COMMIT_ROWS)).toBe(before);
      const route = http === 'express' ? 'POST /unstated/forgets/:marker' : 'POST /unstated/forgets/a';
      const message = (response.body as { message: string }).message;
      expect(response.body).toMatchObject({ statusCode: 500, error: 'Internal Server Error' });
      for (const text of [route, 'bind key "default"', "commitMode: 'autocommit'", 'session.commit()']) {
        expect(message).toContain(text);
      }
      expect(message).toContain("commitMode: 'manual'");
      expect(JSON.stringify(response.body)).not.toContain('"id"');
      const errors = logger.errors.filter((line) => line.includes('bind key "default"'));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain(route);
      expect(errors[0]).toContain("commitMode: 'autocommit'");
    });

    it('every time, not once per route: each such request fails', async () => {
      await request(testApp.url).post('/unstated/forgets/a').expect(500);
      await request(testApp.url).post('/unstated/forgets/a').expect(500);
      expect(logger.errors.filter((line) => line.includes('bind key "default"'))).toHaveLength(2);
    });

    it('a handler that committed, rolled back itself or only read is answered as before', async () => {
      const before = await testApp.probe.count(COMMIT_ROWS);
      await request(testApp.url).post('/unstated/commits').expect(201);
      expect(await testApp.probe.count(COMMIT_ROWS)).toBe(before + 1);
      await request(testApp.url).post('/unstated/rolls-back').expect(201);
      await request(testApp.url).get('/unstated/reads').expect(200);
      expect(await testApp.probe.count(COMMIT_ROWS)).toBe(before + 1);
      expect(logger.errors).toEqual([]);
    });

    it("a stated commitMode: 'manual' keeps the seed's rollback and its warning", async () => {
      const before = await testApp.probes.stated.count(COMMIT_ROWS);
      await request(testApp.url).post('/unstated/stated').expect(201);
      expect(await testApp.probes.stated.count(COMMIT_ROWS)).toBe(before);
      expect(logger.errors).toEqual([]);
      expect(logger.warnings.filter((line) => line.includes('bind key "stated"'))).toHaveLength(1);
    });

    it('withSession on the stated key fails when it also wrote, uncommitted, on the unstated one', async () => {
      const before = await testApp.probe.count(COMMIT_ROWS);
      const statedBefore = await testApp.probes.stated.count(COMMIT_ROWS);
      const alchemy = testApp.alchemy;
      await expect(
        alchemy.withSession('stated', async (session) => {
          await session.getRepository(CommitRow).insert({ marker: newMarker() });
          await alchemy.getSession('default').getRepository(CommitRow).insert({ marker: newMarker() });
        }),
      ).rejects.toThrow(/bind key "default".*commitMode: 'autocommit'/s);
      expect(await testApp.probe.count(COMMIT_ROWS)).toBe(before);
      expect(await testApp.probes.stated.count(COMMIT_ROWS)).toBe(statedBefore);
    });
  });
});
