import type { Type } from '@nestjs/common';
import type { TypeOrmModuleOptions } from '@nestjs/typeorm';
import { deleteDataSourceByName, initializeTransactionalContext, StorageDriver } from 'typeorm-transactional';
import { testDatabaseKinds } from 'nestjs-advanced-alchemy/testing';
import { useModuleApp } from '../support/use-module-app';
import { waitUntil } from '../reliability/fixtures/wait-until';
import { typeOrmModuleOptions } from '../support/typeorm-module-options';
import { PostEvents } from '../fixtures/typeorm-transactional-app/post-events';
import { PostService } from '../fixtures/typeorm-transactional-app/post.service';

/**
 * What typeorm-transactional's README promises to an application like test/fixtures/typeorm-transactional-app,
 * asserted through another connection. Run on typeorm-transactional itself and, with the imports moved,
 * on this module.
 */
export function describeTypeormTransactionalApp(
  label: string,
  createAppModule: (options: TypeOrmModuleOptions) => Type,
): void {
  describe.each(testDatabaseKinds())(`${label}, on %s`, (kind) => {
    // typeorm-transactional keeps its DataSources in a process-wide registry.
    const running = useModuleApp(
      kind,
      'tt_app',
      (database) => {
        initializeTransactionalContext({ storageDriver: StorageDriver.AUTO });
        return createAppModule({ ...typeOrmModuleOptions(database), autoLoadEntities: true, synchronize: true });
      },
      { afterClose: () => deleteDataSourceByName('default') },
    );
    let posts: PostService;
    let events: PostEvents;
    const stored = (message: string) => running().probe.count('tt_posts', 'message = ?', [message]);
    beforeAll(() => {
      posts = running().app.get(PostService);
      events = running().app.get(PostEvents);
    });
    /** The hooks' events for a message once there are `count` of them (typeorm-transactional emits them later). */
    const hookEvents = async (message: string, count: number) => {
      await waitUntil(() => events.of(message).length >= count, 2000);
      return events.of(message);
    };

    it('commits a @Transactional() method that resolves, and runs the commit and complete hooks', async () => {
      await posts.createPost('ok');
      expect(await stored('ok')).toBe(1);
      expect(await hookEvents('ok', 2)).toEqual(['commit:ok', 'complete:ok:ok']);
    });

    it('rolls back a @Transactional() method that throws, and runs the rollback and complete hooks', async () => {
      await expect(posts.createPost('failed', true)).rejects.toThrow('refused failed');
      expect(await stored('failed')).toBe(0);
      expect(await hookEvents('failed', 2)).toEqual(['rollback:failed', 'complete:failed:error']);
    });

    it("runs the DataSource's raw query() inside the transaction", async () => {
      await expect(posts.createRaw('raw-failed', true)).rejects.toThrow();
      expect(await stored('raw-failed')).toBe(0);
      await posts.createRaw('raw-ok');
      expect(await stored('raw-ok')).toBe(1);
    });

    // SQLite has one connection: no second transaction beside an open one, on either package.
    (kind === 'sqlite' ? it.skip : it)('keeps a REQUIRES_NEW unit when the caller then fails', async () => {
      await expect(posts.createAuditedThenFail('audited')).rejects.toThrow();
      expect(await stored('audited')).toBe(0);
      expect(await stored('audit-audited')).toBe(1);
    });

    it('rolls a failed NESTED unit back to its savepoint and keeps the outer work', async () => {
      await posts.createWithFailingNested('outer');
      expect(await stored('outer')).toBe(1);
      expect(await stored('nested-outer')).toBe(0);
    });

    it('refuses a MANDATORY unit called outside every transaction', async () => {
      await expect(posts.mandatory('mandatory')).rejects.toThrow();
      expect(await stored('mandatory')).toBe(0);
    });

    it('runInTransaction and wrapInTransaction: all or nothing', async () => {
      await expect(posts.createPair('pair-failed', true)).rejects.toThrow();
      expect(await stored('pair-failed-1')).toBe(0);
      await posts.createPair('pair-ok');
      expect(await stored('pair-ok-1')).toBe(1);
      expect(await stored('pair-ok-2')).toBe(1);
      await expect(posts.createWrapped('wrapped-failed', true)).rejects.toThrow();
      expect(await stored('wrapped-failed')).toBe(0);
      await posts.createWrapped('wrapped-ok', false);
      expect(await stored('wrapped-ok')).toBe(1);
    });
  });
}
