// SQLite only: it has one connection per database, which sessions and plain TypeORM calls take
// turns on. Server databases give each of them a connection of its own, so nothing here applies.
import { Controller, Injectable, Param, Post, Query } from '@nestjs/common';
import request from 'supertest';
import { type QueryRunner } from 'typeorm';
import { AdvancedAlchemy, InjectSession, SessionAcquireTimeoutError, type Session } from 'nestjs-advanced-alchemy';
import { testDatabaseKinds, useTestApp, type TestBindConfig } from 'nestjs-advanced-alchemy/testing';
import { deferred, type Deferred } from '../support/boot-app';
import { Item, ITEMS } from '../support/items';

/** Lets the test hold a request in the middle of its transaction. */
let gate: { inserted: Deferred; release: Deferred };

@Injectable()
class EntriesService {
  constructor(
    @InjectSession() private readonly session: Session,
    private readonly alchemy: AdvancedAlchemy,
  ) {}
  add(label: string) {
    return this.session.getRepository(Item).save({ label });
  }
  /** A withSession on the bind key this request's own session already holds. */
  addInNestedWithSession(label: string) {
    return this.alchemy.withSession((nested) => nested.getRepository(Item).save({ label }));
  }
}

@Controller('entries')
class EntriesController {
  constructor(private readonly entries: EntriesService) {}

  @Post(':label/hold') async insertAndHold(@Param('label') label: string, @Query('fail') fail?: string) {
    await this.entries.add(label);
    gate.inserted.resolve();
    await gate.release.promise;
    if (fail) throw new Error('the held request fails');
    return { ok: true };
  }

  @Post(':label/nested') async insertThenNest(@Param('label') label: string) {
    await this.entries.add(label);
    try {
      await this.entries.addInNestedWithSession(`${label}-nested`);
      return { nestedFailed: false };
    } catch (error) {
      return {
        nestedFailed: true,
        isAcquireTimeout: error instanceof SessionAcquireTimeoutError,
        message: (error as Error).message,
      };
    }
  }

  @Post(':label') async insert(@Param('label') label: string) {
    await this.entries.add(label);
    return { ok: true };
  }
}

/** The SQLite app of one describe block. */
const useSqliteApp = (label: string, config: TestBindConfig = {}) =>
  useTestApp({
    kind: 'sqlite',
    label,
    entities: [Item],
    config,
    controllers: [EntriesController],
    providers: [EntriesService],
  });

const sqliteOnly = testDatabaseKinds().includes('sqlite') ? describe : describe.skip;

sqliteOnly('the SQLite connection lock', () => {
  describe('a dataSource.transaction() outside any session', () => {
    const testApp = useSqliteApp('sqlite_lock');

    it("waits for a request's session and never joins its transaction", async () => {
      gate = { inserted: deferred(), release: deferred() };
      const held = request(testApp.url)
        .post('/entries/inside/hold?fail=1')
        .then((response) => response);
      await gate.inserted.promise;

      const dataSource = testApp.dataSource();
      const outsideReachedConnection = deferred();
      const createQueryRunner = dataSource.createQueryRunner.bind(dataSource);
      dataSource.createQueryRunner = (...args) => {
        const runner = createQueryRunner(...args);
        const query = runner.query.bind(runner) as QueryRunner['query'];
        runner.query = ((...queryArgs: Parameters<QueryRunner['query']>) => {
          outsideReachedConnection.resolve();
          return query(...queryArgs);
        }) as QueryRunner['query'];
        return runner;
      };
      let outsideSettled = false;
      const outside = dataSource
        .transaction((manager) => manager.save(Item, { label: 'outside' }))
        .finally(() => (outsideSettled = true));
      await outsideReachedConnection.promise;
      dataSource.createQueryRunner = createQueryRunner;
      // Were it not waiting, its synchronous SQLite statements would be done within these turns.
      for (let turn = 0; turn < 10; turn++) await new Promise((resolve) => setImmediate(resolve));
      expect(outsideSettled).toBe(false);
      expect(await testApp.probe.count(ITEMS, 'label = ?', ['outside'])).toBe(0);

      gate.release.resolve();
      expect((await held).status).toBe(500);
      await outside;
      expect(await testApp.probe.count(ITEMS, 'label = ?', ['outside'])).toBe(1);
      expect(await testApp.probe.count(ITEMS, 'label = ?', ['inside'])).toBe(0);
    });
  });

  describe('a withSession on the same bind key inside a request', () => {
    const testApp = useSqliteApp('sqlite_lock_nested', { engineConfig: { poolTimeout: 300 } });

    it('fails with SessionAcquireTimeoutError instead of hanging', async () => {
      const response = await request(testApp.url).post('/entries/outer/nested').expect(201);
      expect(response.body).toMatchObject({ nestedFailed: true, isAcquireTimeout: true });
      expect(response.body.message).toContain('withSession');
      // The request's own session is unharmed and committed; the nested work is not.
      expect(await testApp.probe.count(ITEMS, 'label = ?', ['outer'])).toBe(1);
      expect(await testApp.probe.count(ITEMS, 'label = ?', ['outer-nested'])).toBe(0);
    });

    it('leaves the connection free for the next request', async () => {
      await request(testApp.url).post('/entries/after-timeout').expect(201);
      expect(await testApp.probe.count(ITEMS, 'label = ?', ['after-timeout'])).toBe(1);
    });
  });
});
