import { randomUUID } from 'node:crypto';
import { Controller, Get, Injectable, NotFoundException, Param, Post } from '@nestjs/common';
import request from 'supertest';
import { AdvancedAlchemy, InjectSession, type CommitMode, type Session } from 'nestjs-advanced-alchemy';
import { testDatabaseKinds, useTestApp } from 'nestjs-advanced-alchemy/testing';
import { Item, ITEMS } from '../support/items';

/** A default-scoped (singleton) provider: the injected proxy must still give each request its own session. */
@Injectable()
class ItemsService {
  static instances = 0;
  constructor(@InjectSession() readonly session: Session) {
    ItemsService.instances += 1;
  }
  add(label: string): Promise<Item> {
    return this.session.getRepository(Item).save({ label });
  }
}

/** Sessions this process has handed out, to tell a new session from one seen in an earlier request. */
const seenSessions = new WeakSet<Session>();

@Controller('items')
class ItemsController {
  constructor(
    private readonly items: ItemsService,
    private readonly alchemy: AdvancedAlchemy,
  ) {}

  @Post(':label') async create(@Param('label') label: string) {
    await this.items.add(label);
    return { ok: true };
  }

  @Post(':label/fail') async fail(@Param('label') label: string) {
    await this.items.add(label);
    throw new Error('handler failed after writing');
  }

  @Post(':label/missing') async missing(@Param('label') label: string) {
    await this.items.add(label);
    throw new NotFoundException('written, then not found');
  }

  @Post(':label/commit') async commit(@Param('label') label: string) {
    await this.items.add(label);
    await this.items.session.commit();
    return { ok: true };
  }

  /** Commits the first row itself, writes a second one, then fails. */
  @Post(':label/commit-then-fail') async commitThenFail(@Param('label') label: string) {
    await this.items.add(label);
    await this.items.session.commit();
    await this.items.add(`${label}-late`);
    throw new Error('handler failed after its own commit');
  }

  /** Writes, rolls back, writes again and commits: only the second row may survive. */
  @Post(':label/rollback') async rollback(@Param('label') label: string) {
    await this.items.add(`${label}-discarded`);
    await this.items.session.rollback();
    await this.items.add(`${label}-kept`);
    await this.items.session.commit();
    return { ok: true };
  }

  @Get('transaction-state') async transactionState() {
    const beforeFirstQuery = this.items.session.inTransaction;
    await this.items.session.query(`SELECT COUNT(*) AS n FROM ${ITEMS}`);
    return { beforeFirstQuery, afterFirstQuery: this.items.session.inTransaction };
  }

  /** Reports whether getSession() is stable within this request and whether the session is new. */
  @Get('identity') async identity() {
    const first = this.alchemy.getSession();
    const seenInEarlierRequest = seenSessions.has(first);
    seenSessions.add(first);
    first.info.requestSessionId ??= randomUUID();
    await this.items.add('identity');
    const afterAwait = this.alchemy.getSession();
    return {
      seenInEarlierRequest,
      sameAfterAwait: afterAwait === first,
      proxySharesInfo: this.items.session.info === first.info,
      id: afterAwait.info.requestSessionId,
    };
  }
}

describe.each(testDatabaseKinds())('request sessions on %s', (kind) => {
  const useAppWith = (commitMode: CommitMode, before?: () => void) => {
    const testApp = useTestApp(() => {
      before?.();
      return {
        kind,
        label: 'request_sessions',
        entities: [Item],
        config: { commitMode },
        controllers: [ItemsController],
        providers: [ItemsService],
      };
    });
    const rows = (label: string) => testApp.probe.count(ITEMS, 'label = ?', [label]);
    return { testApp, rows };
  };

  describe('autocommit', () => {
    const { testApp, rows } = useAppWith('autocommit', () => (ItemsService.instances = 0));

    it('commits what a handler wrote when it answers 201', async () => {
      await request(testApp.url).post('/items/auto-created').expect(201);
      expect(await rows('auto-created')).toBe(1);
    });

    it('rolls back when the handler throws (500)', async () => {
      await request(testApp.url).post('/items/auto-thrown/fail').expect(500);
      expect(await rows('auto-thrown')).toBe(0);
    });

    it('rolls back when the handler answers 404 after writing', async () => {
      await request(testApp.url).post('/items/auto-missing/missing').expect(404);
      expect(await rows('auto-missing')).toBe(0);
    });

    it('keeps what the handler committed itself and rolls back the rest on failure', async () => {
      await request(testApp.url).post('/items/auto-partial/commit-then-fail').expect(500);
      expect(await rows('auto-partial')).toBe(1);
      expect(await rows('auto-partial-late')).toBe(0);
    });

    it('discards what an explicit rollback() undid', async () => {
      await request(testApp.url).post('/items/auto-undo/rollback').expect(201);
      expect(await rows('auto-undo-discarded')).toBe(0);
      expect(await rows('auto-undo-kept')).toBe(1);
    });

    it('reports inTransaction false before the first query and true after (a read, on PostgreSQL: still false)', async () => {
      const response = await request(testApp.url).get('/items/transaction-state').expect(200);
      // PostgreSQL's READ COMMITTED default lets a plain read run before BEGIN (beginOnFirstWrite).
      expect(response.body).toEqual({ beforeFirstQuery: false, afterFirstQuery: kind !== 'postgres' });
    });

    it('gives the same session throughout one request and a new one to the next', async () => {
      const first = await request(testApp.url).get('/items/identity').expect(200);
      const second = await request(testApp.url).get('/items/identity').expect(200);
      for (const { body } of [first, second]) {
        expect(body).toMatchObject({ seenInEarlierRequest: false, sameAfterAwait: true, proxySharesInfo: true });
      }
      expect(typeof first.body.id).toBe('string');
      expect(second.body.id).not.toBe(first.body.id);
      // The service is a singleton: both requests went through the one instance.
      expect(ItemsService.instances).toBe(1);
    });
  });

  describe('manual', () => {
    const { testApp, rows } = useAppWith('manual');

    it('does not commit a 201 by itself', async () => {
      await request(testApp.url).post('/items/manual-uncommitted').expect(201);
      expect(await rows('manual-uncommitted')).toBe(0);
    });

    it('keeps rows the handler committed itself', async () => {
      await request(testApp.url).post('/items/manual-committed/commit').expect(201);
      expect(await rows('manual-committed')).toBe(1);
    });

    it('keeps what the handler committed even when it then throws', async () => {
      await request(testApp.url).post('/items/manual-partial/commit-then-fail').expect(500);
      expect(await rows('manual-partial')).toBe(1);
      expect(await rows('manual-partial-late')).toBe(0);
    });

    it('discards what an explicit rollback() undid', async () => {
      await request(testApp.url).post('/items/manual-undo/rollback').expect(201);
      expect(await rows('manual-undo-discarded')).toBe(0);
      expect(await rows('manual-undo-kept')).toBe(1);
    });

    it('leaves nothing behind after a 404 or a 500', async () => {
      await request(testApp.url).post('/items/manual-missing/missing').expect(404);
      await request(testApp.url).post('/items/manual-thrown/fail').expect(500);
      expect(await rows('manual-missing')).toBe(0);
      expect(await rows('manual-thrown')).toBe(0);
    });
  });
});
