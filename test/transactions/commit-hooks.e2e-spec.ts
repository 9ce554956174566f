import { BadRequestException, Controller, Injectable, Param, Post, Query, Req } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { COMMIT_FAILED_BODY, InjectSession, type Session } from 'nestjs-advanced-alchemy';
import { testDatabaseKinds, useTestApp } from 'nestjs-advanced-alchemy/testing';
import { CapturingLogger } from '../commit/fixtures/capturing-logger';
import { COMMIT_ROWS, CommitRow } from '../commit/fixtures/commit-row.entity';
import { newMarker } from '../commit/fixtures/markers';
import { deferred, type Deferred } from '../support/boot-app';
import { waitUntil } from '../reliability/fixtures/wait-until';
import { UnitFailed } from './fixtures/unit-rows.service';

/** What the hooks did, in order: `<event>:<marker>`. */
@Injectable()
class HookEvents {
  readonly events: string[] = [];
  /** The afterCommit hook of the "slow" route waits for this before it records. */
  slowHook?: Deferred;
  of(marker: string): string[] {
    return this.events.filter((event) => event.endsWith(`:${marker}`));
  }
}

@Controller('hooks')
class HooksController {
  constructor(
    @InjectSession() private readonly session: Session,
    private readonly hooks: HookEvents,
  ) {}

  private async write(marker: string): Promise<void> {
    await this.session.getRepository(CommitRow).insert({ marker });
    this.session.afterCommit(() => this.hooks.events.push(`commit:${marker}`));
    this.session.afterRollback(() => this.hooks.events.push(`rollback:${marker}`));
  }

  @Post('plain/:marker') async plain(@Param('marker') marker: string, @Query('fail') fail?: string) {
    await this.write(marker);
    if (fail === '1') throw new BadRequestException('rolled back');
    return { ok: true };
  }

  @Post('nested/:marker') async nested(@Param('marker') marker: string) {
    await this.session
      .transaction(
        async (session) => {
          await session.getRepository(CommitRow).insert({ marker: `${marker}-undone` });
          session.afterCommit(() => this.hooks.events.push(`undone-commit:${marker}`));
          session.afterRollback(() => this.hooks.events.push(`undone-rollback:${marker}`));
          throw new UnitFailed('undo me');
        },
        { propagation: 'NESTED' },
      )
      .catch(() => this.hooks.events.push(`caught:${marker}`));
    await this.session.transaction(
      async (session) => {
        await session.getRepository(CommitRow).insert({ marker: `${marker}-kept` });
        session.afterCommit(() => this.hooks.events.push(`kept-commit:${marker}`));
      },
      { propagation: 'NESTED' },
    );
    return { ok: true };
  }

  @Post('before-commit-throws/:marker') async beforeCommitThrows(@Param('marker') marker: string) {
    await this.write(marker);
    this.session.beforeCommit(() => {
      throw new Error('refused before commit');
    });
    return { ok: true };
  }

  @Post('before-commit-writes/:marker') async beforeCommitWrites(@Param('marker') marker: string) {
    this.session.beforeCommit(() => this.session.getRepository(CommitRow).insert({ marker: `${marker}-before` }));
    await this.write(marker);
    return { ok: true };
  }

  @Post('after-commit-throws/:marker') async afterCommitThrows(@Param('marker') marker: string) {
    await this.write(marker);
    this.session.afterCommit(() => {
      throw new Error(`hook of ${marker} failed`);
    });
    return { ok: true };
  }

  @Post('slow/:marker') async slow(@Param('marker') marker: string) {
    await this.session.getRepository(CommitRow).insert({ marker });
    const gate = this.hooks.slowHook as Deferred;
    this.session.afterCommit(async () => {
      await gate.promise;
      this.hooks.events.push(`commit:${marker}`);
    });
    return { ok: true };
  }

  /** The client goes away once the commit was decided (its connection is cut just before COMMIT). */
  @Post('client-leaves/:marker') async clientLeaves(@Param('marker') marker: string, @Req() req: IncomingMessage) {
    await this.write(marker);
    this.session.beforeCommit(() => {
      req.socket.destroy();
    });
    return { ok: true };
  }
}

describe.each(testDatabaseKinds())('commit hooks on %s', (kind) => {
  const logger = new CapturingLogger();
  const testApp = useTestApp({
    kind,
    logger,
    label: 'tx_hooks',
    entities: [CommitRow],
    controllers: [HooksController],
    providers: [HookEvents],
  });
  let hooks: HookEvents;
  beforeAll(() => {
    hooks = testApp.app.get(HookEvents);
  });

  const rows = (marker: string) => testApp.probe.count(COMMIT_ROWS, 'marker = ?', [marker]);
  const http = () => request(testApp.url);
  /** Lets detached hooks that would (wrongly) run still run before the test looks. */
  const settle = () => sleep(50);

  it('afterCommit runs exactly once after a commit; afterRollback does not', async () => {
    const marker = newMarker();
    await http().post(`/hooks/plain/${marker}`).expect(201);
    await waitUntil(() => hooks.of(marker).length > 0);
    await settle();
    expect(hooks.of(marker)).toEqual([`commit:${marker}`]);
    expect(await rows(marker)).toBe(1);
  });

  it('afterCommit never runs for a rolled-back request; afterRollback does, once', async () => {
    const marker = newMarker();
    await http().post(`/hooks/plain/${marker}?fail=1`).expect(400);
    await waitUntil(() => hooks.of(marker).length > 0);
    await settle();
    expect(hooks.of(marker)).toEqual([`rollback:${marker}`]);
    expect(await rows(marker)).toBe(0);
  });

  it('a NESTED unit rolled back runs its afterRollback at once and drops its afterCommit; a released one hands its afterCommit to the commit', async () => {
    const marker = newMarker();
    await http().post(`/hooks/nested/${marker}`).expect(201);
    await waitUntil(() => hooks.of(marker).includes(`kept-commit:${marker}`));
    await settle();
    expect(hooks.of(marker)).toEqual([`undone-rollback:${marker}`, `caught:${marker}`, `kept-commit:${marker}`]);
    expect(await rows(`${marker}-undone`)).toBe(0);
    expect(await rows(`${marker}-kept`)).toBe(1);
  });

  it('beforeCommit runs inside the transaction, just before COMMIT: what it writes is committed with the rest', async () => {
    const marker = newMarker();
    await http().post(`/hooks/before-commit-writes/${marker}`).expect(201);
    expect(await rows(marker)).toBe(1);
    expect(await rows(`${marker}-before`)).toBe(1);
  });

  it('a beforeCommit that throws rolls back and answers the failed-commit 500; afterRollback runs, afterCommit never', async () => {
    const marker = newMarker();
    const response = await http().post(`/hooks/before-commit-throws/${marker}`).expect(500);
    expect(response.text).toBe(COMMIT_FAILED_BODY);
    await waitUntil(() => hooks.of(marker).length > 0);
    await settle();
    expect(hooks.of(marker)).toEqual([`rollback:${marker}`]);
    expect(await rows(marker)).toBe(0);
  });

  it('a failing afterCommit is logged with its bind key and changes nothing: the answer and the rows stand, the next hook runs', async () => {
    const marker = newMarker();
    await http().post(`/hooks/after-commit-throws/${marker}`).expect(201);
    await waitUntil(() => logger.errors.some((line) => line.includes(`hook of ${marker} failed`)));
    const line = logger.errors.find((entry) => entry.includes(`hook of ${marker} failed`));
    expect(line).toMatch(/An afterCommit hook of bind key "default" failed/);
    expect(hooks.of(marker)).toEqual([`commit:${marker}`]);
    expect(await rows(marker)).toBe(1);
  });

  it('afterCommit does not delay the response', async () => {
    const marker = newMarker();
    hooks.slowHook = deferred();
    await http().post(`/hooks/slow/${marker}`).expect(201);
    // The client has its answer while the hook is still waiting.
    expect(hooks.of(marker)).toEqual([]);
    expect(await rows(marker)).toBe(1);
    hooks.slowHook.resolve();
    await waitUntil(() => hooks.of(marker).length > 0);
    expect(hooks.of(marker)).toEqual([`commit:${marker}`]);
  });

  it('afterCommit runs exactly once when the client went away once the commit was decided', async () => {
    const marker = newMarker();
    await expect(http().post(`/hooks/client-leaves/${marker}`)).rejects.toThrow(/socket hang up|ECONNRESET/);
    await waitUntil(() => hooks.of(marker).length > 0);
    await settle();
    expect(hooks.of(marker)).toEqual([`commit:${marker}`]);
    expect(await rows(marker)).toBe(1);
  });

  it('withSession runs the hooks of its transaction before it resolves', async () => {
    const marker = newMarker();
    await testApp.alchemy.withSession(async (session) => {
      await session.getRepository(CommitRow).insert({ marker });
      session.afterCommit(() => hooks.events.push(`commit:${marker}`));
    });
    expect(hooks.of(marker)).toEqual([`commit:${marker}`]);
  });
});
