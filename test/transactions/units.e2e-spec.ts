import { Controller, Get, Injectable, Param, Post, Query, type INestApplication } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import {
  AdvancedAlchemy,
  InjectSession,
  ReadOnlyTransactionError,
  Transactional,
  TransactionPropagationError,
  type Session,
} from 'nestjs-advanced-alchemy';
import { poolState, testDatabaseKinds } from 'nestjs-advanced-alchemy/testing';
import { COMMIT_ROWS, CommitRow } from '../commit/fixtures/commit-row.entity';
import { newMarker } from '../commit/fixtures/markers';
import { waitUntil } from '../reliability/fixtures/wait-until';
import { CommitRowService, UnitFailed, UnitScenarios } from './fixtures/unit-rows.service';
import { useScenarioApp } from './fixtures/scenario-app';

@Injectable()
class DecoratedUnits {
  constructor(
    @InjectSession() readonly session: Session,
    private readonly rows: CommitRowService,
  ) {}

  @Transactional({ readOnly: true, propagation: 'REQUIRES_NEW' })
  async writeReadOnly(marker: string): Promise<void> {
    await this.rows.create({ marker });
  }

  @Transactional({ readOnly: true, propagation: 'REQUIRES_NEW' })
  countReadOnly(marker: string): Promise<number> {
    return this.rows.count({ marker });
  }

  @Transactional()
  async required(marker: string): Promise<boolean> {
    await this.rows.create({ marker });
    return this.session.inTransaction;
  }

  /** Joins (REQUIRED): called first in a request, it leaves the request's transaction read-write. */
  @Transactional({ readOnly: true })
  countJoinedReadOnly(marker: string): Promise<number> {
    return this.rows.count({ marker });
  }

  @Transactional({ propagation: 'MANDATORY' })
  async mandatory(): Promise<void> {}

  @Transactional({ propagation: 'NEVER' })
  async never(): Promise<void> {}

  @Transactional({ isolationLevel: 'SERIALIZABLE' })
  async serializable(marker: string): Promise<void> {
    await this.rows.create({ marker });
  }
}

@Controller('units')
class UnitsController {
  constructor(
    @InjectSession() private readonly session: Session,
    private readonly units: DecoratedUnits,
  ) {}

  /** Route metadata set before @Transactional() is applied stays on the method. */
  @Transactional()
  @Get('decorated/:marker')
  async decoratedRoute(@Param('marker') marker: string) {
    return { inTransaction: await this.units.required(marker) };
  }

  @Post('read-only-first/:marker') async readOnlyFirst(@Param('marker') marker: string) {
    await this.units.countJoinedReadOnly(marker);
    await this.session.getRepository(CommitRow).insert({ marker });
    return { ok: true };
  }

  @Post('mismatch/:marker') async mismatch(@Param('marker') marker: string, @Query('first') first?: string) {
    if (first === 'write') await this.session.getRepository(CommitRow).insert({ marker: `${marker}-first` });
    await this.units.serializable(marker);
    return { ok: true };
  }
}

describe.each(testDatabaseKinds())('transactional units on %s', (kind) => {
  const { testApp, messages } = useScenarioApp(kind, 'tx_units', {
    controllers: [UnitsController],
    providers: [DecoratedUnits],
  });
  let app: INestApplication;
  let alchemy: AdvancedAlchemy;
  let units: DecoratedUnits;
  beforeAll(() => {
    app = testApp.app;
    alchemy = testApp.alchemy;
    units = app.get(DecoratedUnits);
  });

  const rows = (marker: string) => testApp.probe.count(COMMIT_ROWS, 'marker = ?', [marker]);

  it('200 concurrent requests, each with a REQUIRES_NEW audit row and a NESTED unit failing every other time: the rows are what the answers say', async () => {
    const markers = Array.from({ length: 200 }, () => newMarker());
    const responses = await Promise.all(
      markers.map((marker, index) => request(testApp.url).post(`/audited/${marker}?fail=${index % 2}`)),
    );
    expect(responses.map((response) => response.status)).toEqual(markers.map(() => 201));
    const kept = responses.map((response) => (response.body as { nestedKept: boolean }).nestedKept);
    expect(kept.filter(Boolean)).toHaveLength(100);
    const stored = await testApp.probe.query<{ marker: string }>(`SELECT marker FROM ${COMMIT_ROWS}`);
    const present = new Set(stored.map((row) => row.marker));
    markers.forEach((marker, index) => {
      expect([present.has(`${marker}:audit`), present.has(`${marker}:outer`)]).toEqual([true, true]);
      expect(present.has(`${marker}:nested`)).toBe(kept[index]);
    });
    const pool = poolState(testApp.dataSource());
    if (pool) expect(pool.idle).toBe(pool.total);
  });

  it.each([false, true])(
    'a message handler (failing: %s) runs afterCommit only once it committed, afterRollback only once it rolled back',
    async (fails) => {
      const marker = newMarker();
      const reply = messages.send('hooked', { marker, fails });
      if (fails) await expect(reply).rejects.toMatchObject({ message: 'the handler fails after writing' });
      else await expect(reply).resolves.toBe(marker);
      const events = app.get(UnitScenarios).hookEvents;
      await waitUntil(() => events.some((event) => event.endsWith(`:${marker}`)));
      await sleep(50);
      expect(events.filter((event) => event.endsWith(`:${marker}`))).toEqual([
        fails ? `rollback:${marker}` : `commit:${marker}`,
      ]);
      expect(await rows(marker)).toBe(fails ? 0 : 1);
    },
  );

  it('NESTED units nest to any depth: an inner one undone leaves its parents and siblings', async () => {
    const marker = newMarker();
    await alchemy.withSession(async (session) => {
      const write = (suffix: string) => session.getRepository(CommitRow).insert({ marker: `${marker}-${suffix}` });
      await session.transaction(
        async () => {
          await write('1');
          await session.transaction(
            async () => {
              await write('2');
              await session
                .transaction(
                  async () => {
                    await write('3');
                    throw new UnitFailed('depth 3 fails');
                  },
                  { propagation: 'NESTED' },
                )
                .catch(() => undefined);
              await write('2b');
            },
            { propagation: 'NESTED' },
          );
        },
        { propagation: 'NESTED' },
      );
    });
    expect([
      await rows(`${marker}-1`),
      await rows(`${marker}-2`),
      await rows(`${marker}-3`),
      await rows(`${marker}-2b`),
    ]).toEqual([1, 1, 0, 1]);
  });

  it('NESTED units of one session started together run one after another, each undone alone', async () => {
    const marker = newMarker();
    const order: string[] = [];
    await alchemy.withSession(async (session) => {
      const unit = (name: string, fail: boolean) =>
        session.transaction(
          async () => {
            order.push(`start ${name}`);
            await session.getRepository(CommitRow).insert({ marker: `${marker}-${name}` });
            await session.getRepository(CommitRow).count();
            order.push(`end ${name}`);
            if (fail) throw new UnitFailed(name);
          },
          { propagation: 'NESTED' },
        );
      const outcomes = await Promise.allSettled([unit('a', false), unit('b', true), unit('c', false)]);
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    });
    expect(order).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect([await rows(`${marker}-a`), await rows(`${marker}-b`), await rows(`${marker}-c`)]).toEqual([1, 0, 1]);
  });

  it('a NESTED unit after a failed statement brings the transaction back (PostgreSQL aborts it otherwise)', async () => {
    const marker = newMarker();
    await alchemy.withSession(async (session) => {
      await session
        .transaction(() => session.query('SELECT * FROM no_such_table'), { propagation: 'NESTED' })
        .catch(() => undefined);
      await session.getRepository(CommitRow).insert({ marker });
    });
    expect(await rows(marker)).toBe(1);
  });

  it('NOT_SUPPORTED writes outside the transaction: another connection sees the row before the outer commits', async () => {
    const marker = newMarker();
    if (kind === 'sqlite') return; // one connection: covered by the matrix (the unit runs before the outer's BEGIN)
    await alchemy.withSession(async (session) => {
      await session.getRepository(CommitRow).insert({ marker: `${marker}-outer` });
      await session.transaction((inner) => inner.getRepository(CommitRow).insert({ marker }), {
        propagation: 'NOT_SUPPORTED',
      });
      expect(await rows(marker)).toBe(1);
      expect(await rows(`${marker}-outer`)).toBe(0);
    });
  });

  it(
    kind === 'sqlite'
      ? 'REQUIRES_NEW once the outer session holds the one SQLite connection fails at once, saying so'
      : 'REQUIRES_NEW after the outer session wrote commits alone; the outer rolls back without it',
    async () => {
      const marker = newMarker();
      const run = alchemy.withSession(async (session) => {
        await session.getRepository(CommitRow).insert({ marker: `${marker}-outer` });
        await units.session.transaction((inner) => inner.getRepository(CommitRow).insert({ marker }), {
          propagation: 'REQUIRES_NEW',
        });
        throw new UnitFailed('outer fails');
      });
      if (kind === 'sqlite') {
        const started = performance.now();
        await expect(run).rejects.toThrow(TransactionPropagationError);
        await expect(run).rejects.toThrow(/SQLite has one .* would wait for it until poolTimeout/);
        expect(performance.now() - started).toBeLessThan(1_000);
        expect(await rows(marker)).toBe(0);
      } else {
        await expect(run).rejects.toThrow(UnitFailed);
        expect(await rows(marker)).toBe(1);
      }
      expect(await rows(`${marker}-outer`)).toBe(0);
    },
  );

  it('a read-only unit reads, and a write inside fails with ReadOnlyTransactionError', async () => {
    const marker = newMarker();
    await expect(units.countReadOnly(marker)).resolves.toBe(0);
    const failure = units.writeReadOnly(marker);
    await expect(failure).rejects.toThrow(ReadOnlyTransactionError);
    await expect(failure).rejects.toThrow(/read-only unit \(readOnly: true\) of bind key "default"/);
    expect(await rows(marker)).toBe(0);
    // The connection is writable again for the next transaction.
    await alchemy.withSession((session) => session.getRepository(CommitRow).insert({ marker }));
    expect(await rows(marker)).toBe(1);
  });

  it('a session of createSessionMaker() runs units in its own transaction and stays open and usable', async () => {
    const marker = newMarker();
    const session = alchemy.config[0].createSessionMaker()();
    await session.getRepository(CommitRow).insert({ marker: `${marker}-before` });
    await session
      .transaction(
        async (unit) => {
          await unit.getRepository(CommitRow).insert({ marker: `${marker}-undone` });
          throw new UnitFailed('undo');
        },
        { propagation: 'NESTED' },
      )
      .catch(() => undefined);
    await session.transaction((unit) => unit.getRepository(CommitRow).insert({ marker: `${marker}-kept` }));
    expect(session.isActive).toBe(true);
    expect(await rows(`${marker}-kept`)).toBe(0);
    await session.commit();
    await session.close();
    expect([await rows(`${marker}-before`), await rows(`${marker}-undone`), await rows(`${marker}-kept`)]).toEqual([
      1, 0, 1,
    ]);
  });

  it('a read-only REQUIRED unit that joins changes nothing: the request may write after it', async () => {
    const marker = newMarker();
    await request(app.getHttpServer()).post(`/units/read-only-first/${marker}`).expect(201);
    expect(await rows(marker)).toBe(1);
    await alchemy.withSession(async (session) => {
      await units.countJoinedReadOnly(`${marker}-job`);
      await session.getRepository(CommitRow).insert({ marker: `${marker}-job` });
    });
    expect(await rows(`${marker}-job`)).toBe(1);
  });

  it('@Transactional() outside any scope opens and commits its own transaction', async () => {
    const marker = newMarker();
    await expect(units.required(marker)).resolves.toBe(true);
    expect(await rows(marker)).toBe(1);
  });

  it('@Transactional() on a route keeps the route (its metadata stays on the wrapped method)', async () => {
    const marker = newMarker();
    await request(app.getHttpServer()).get(`/units/decorated/${marker}`).expect(200, { inTransaction: true });
    expect(await rows(marker)).toBe(1);
  });

  it('MANDATORY without a transaction and NEVER inside one fail with TransactionPropagationError', async () => {
    await expect(units.mandatory()).rejects.toThrow(/MANDATORY unit of bind key "default" ran outside any transaction/);
    await expect(alchemy.withSession(() => units.never())).rejects.toThrow(TransactionPropagationError);
    await expect(units.never()).resolves.toBeUndefined();
    await expect(alchemy.withSession(() => units.mandatory())).resolves.toBeUndefined();
  });

  it('a joining unit may set the isolation level before BEGIN; once begun, another level is an error naming both', async () => {
    const marker = newMarker();
    await request(app.getHttpServer()).post(`/units/mismatch/${marker}`).expect(201);
    expect(await rows(marker)).toBe(1);
    const refused = await request(app.getHttpServer()).post(`/units/mismatch/${marker}-late?first=write`).expect(500);
    expect(refused.body).toMatchObject({ statusCode: 500 });
    await expect(
      alchemy.withSession(async (session) => {
        // begin(), not a plain read: with beginOnFirstWrite (PostgreSQL's default) a read leaves BEGIN to come.
        await session.begin();
        await units.serializable(`${marker}-late`);
      }),
    ).rejects.toThrow(
      /asks for isolation level SERIALIZABLE, but the transaction of bind key "default" it joins began with the database's default/,
    );
    expect(await rows(`${marker}-late`)).toBe(0);
    expect(await rows(`${marker}-late-first`)).toBe(0);
  });
});
