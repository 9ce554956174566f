import { Controller, Injectable, Param, Post } from '@nestjs/common';
import request from 'supertest';
import {
  AdvancedAlchemy,
  InjectSession,
  TransactionConflictError,
  type Propagation,
  type Session,
  type TransactionOptions,
} from 'nestjs-advanced-alchemy';
import { poolState, testDatabaseKinds, useTestApp } from 'nestjs-advanced-alchemy/testing';
import { barrier } from './fixtures/barrier';
import { COUNTERS, Counter } from './fixtures/counter.entity';
import { eachKind } from '../support/each-kind';

/** Two units that take the counters' row locks in opposite orders, meeting in between: a real deadlock. */
@Injectable()
class Contention {
  meeting = barrier(2);
  /** Where the write-skew requests meet again once both wrote, so both reach COMMIT. */
  afterWrite = barrier(2);
  runs = 0;

  constructor(@InjectSession() private readonly session: Session) {}

  reset(): void {
    this.meeting = barrier(2);
    this.afterWrite = barrier(2);
    this.runs = 0;
  }

  /** Increments counter `first`, waits for the other unit (on its first run only), then `second`. */
  async crossIncrement(first: number, second: number, attempt: { count: number }): Promise<void> {
    this.runs++;
    attempt.count++;
    const counters = this.session.getRepository(Counter);
    await counters.increment({ id: first }, 'value', 1);
    if (attempt.count === 1) await this.meeting.arrive();
    await counters.increment({ id: second }, 'value', 1);
  }

  /** A lost update under SERIALIZABLE: read, wait for the other unit's read, write what was read plus one. */
  async readThenWrite(attempt: { count: number }): Promise<void> {
    this.runs++;
    attempt.count++;
    const counters = this.session.getRepository(Counter);
    const { value } = await counters.findOneByOrFail({ id: 1 });
    if (attempt.count === 1) await this.meeting.arrive();
    await counters.update({ id: 1 }, { value: value + 1 });
  }
}

/** Write skew under SERIALIZABLE: each request reads one counter and writes the other, joined to its own transaction. */
@Controller('skew')
class WriteSkewController {
  constructor(
    @InjectSession() private readonly session: Session,
    private readonly contention: Contention,
  ) {}

  @Post(':read/:write') async skew(@Param('read') read: string, @Param('write') write: string) {
    // The request's transaction has sent nothing yet: the joining unit begins it SERIALIZABLE.
    await this.session.transaction(
      async (session) => {
        const counters = session.getRepository(Counter);
        const { value } = await counters.findOneByOrFail({ id: Number(read) });
        await this.contention.meeting.arrive();
        await counters.update({ id: Number(write) }, { value: value + 1 });
        await this.contention.afterWrite.arrive();
      },
      { isolationLevel: 'SERIALIZABLE' },
    );
    return { ok: true };
  }
}

@Controller('contend')
class ContentionController {
  constructor(
    @InjectSession() private readonly session: Session,
    private readonly contention: Contention,
  ) {}

  /** The request's own unit (REQUIRED) deadlocks with the other request's, or a REQUIRES_NEW one with retries. */
  @Post(':propagation/:first/:second') async cross(
    @Param('propagation') propagation: Propagation,
    @Param('first') first: string,
    @Param('second') second: string,
  ) {
    const attempt = { count: 0 };
    const options: TransactionOptions =
      propagation === 'REQUIRES_NEW' ? { propagation, retry: { attempts: 3 } } : { propagation };
    await this.session.transaction(
      () => this.contention.crossIncrement(Number(first), Number(second), attempt),
      options,
    );
    return { attempts: attempt.count };
  }
}

const servers = testDatabaseKinds().filter((kind) => kind !== 'sqlite');

// SQLite runs one transaction at a time: its transactions never conflict, so there is nothing to retry.
eachKind(servers)('retry on conflicts between transactions on %s', (kind) => {
  const testApp = useTestApp({
    kind,
    label: 'tx_conflicts',
    entities: [Counter],
    controllers: [ContentionController, WriteSkewController],
    providers: [Contention],
  });
  let alchemy: AdvancedAlchemy;
  let contention: Contention;
  beforeAll(async () => {
    alchemy = testApp.alchemy;
    contention = testApp.app.get(Contention);
    await testApp.probe.query(`INSERT INTO ${COUNTERS} (id, value) VALUES (1, 0), (2, 0)`);
  });
  beforeEach(async () => {
    contention.reset();
    await testApp.probe.query(`UPDATE ${COUNTERS} SET value = 0`);
  });
  afterEach(() => {
    // Every attempt, failed or not, gave its connection back.
    const pool = poolState(alchemy.getDataSource());
    expect(pool?.waiting).toBe(0);
    expect(pool?.idle).toBe(pool?.total);
  });

  const values = async () =>
    (await testApp.probe.query<{ id: number; value: number }>(`SELECT id, value FROM ${COUNTERS} ORDER BY id`)).map(
      (row) => Number(row.value),
    );

  const crossUnits = (options: TransactionOptions) => {
    const attempts = [{ count: 0 }, { count: 0 }];
    const units = [
      alchemy.transaction('default', () => contention.crossIncrement(1, 2, attempts[0]), options),
      alchemy.transaction('default', () => contention.crossIncrement(2, 1, attempts[1]), options),
    ];
    return { attempts, units: Promise.allSettled(units) };
  };

  it('a real deadlock: the victim is rolled back and rerun, both units end stored', async () => {
    const { attempts, units } = crossUnits({ retry: { attempts: 3 } });
    const outcomes = await units;
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(attempts.map((attempt) => attempt.count).sort()).toEqual([1, 2]);
    expect(await values()).toEqual([2, 2]);
  });

  it('past its attempts the deadlock is thrown as TransactionConflictError, and nothing of the victim is stored', async () => {
    const { units } = crossUnits({ retry: { attempts: 1 } });
    const outcomes = await units;
    const failed = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(failed).toHaveLength(1);
    const reason = (failed[0] as PromiseRejectedResult).reason as Error;
    expect(reason).toBeInstanceOf(TransactionConflictError);
    expect(reason.message).toMatch(/bind key "default".*deadlock.*may be repeated/);
    expect(await values()).toEqual([1, 1]);
  });

  if (kind === 'postgres') {
    const lostUpdates = (options: TransactionOptions) => {
      const attempts = [{ count: 0 }, { count: 0 }];
      const units = attempts.map((attempt) =>
        alchemy.transaction('default', () => contention.readThenWrite(attempt), options),
      );
      return { attempts, units: Promise.allSettled(units) };
    };

    it('a real serialization failure (40001) of two SERIALIZABLE units: rerun, the counter counts both', async () => {
      const { attempts, units } = lostUpdates({ isolationLevel: 'SERIALIZABLE', retry: { attempts: 2 } });
      expect((await units).map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled']);
      expect(attempts.map((attempt) => attempt.count).sort()).toEqual([1, 2]);
      expect(await values()).toEqual([2, 0]);
    });

    it('past its attempts the serialization failure is a TransactionConflictError naming how many ran', async () => {
      const { units } = lostUpdates({ isolationLevel: 'SERIALIZABLE', retry: { attempts: 1 } });
      const failed = (await units).filter((outcome) => outcome.status === 'rejected') as PromiseRejectedResult[];
      expect(failed).toHaveLength(1);
      expect(failed[0].reason).toBeInstanceOf(TransactionConflictError);
      expect((failed[0].reason as Error).message).toMatch(/serialization failure/);
      expect(await values()).toEqual([1, 0]);
    });
  }

  if (kind === 'postgres') {
    it('a serialization failure of the request transaction (write skew, found at COMMIT) answers 503 + Retry-After', async () => {
      const responses = await Promise.all([
        request(testApp.url).post('/skew/1/2'),
        request(testApp.url).post('/skew/2/1'),
      ]);
      expect(responses.map((response) => response.status).sort()).toEqual([201, 503]);
      const refused = responses.find((response) => response.status === 503);
      expect(refused?.headers['retry-after']).toBe('1');
      expect(refused?.body.message).toMatch(/may be repeated/);
      expect((await values()).sort()).toEqual([0, 1]);
    });
  }

  it('a deadlock that ends a request (its unit joined the request transaction) answers 503 + Retry-After, saying it may be repeated', async () => {
    const responses = await Promise.all([
      request(testApp.url).post('/contend/REQUIRED/1/2'),
      request(testApp.url).post('/contend/REQUIRED/2/1'),
    ]);
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([201, 503]);
    const refused = responses.find((response) => response.status === 503);
    expect(refused?.headers['retry-after']).toBe('1');
    expect(refused?.body.message).toMatch(/may be repeated/);
    expect(await values()).toEqual([1, 1]);
  });

  it('a REQUIRES_NEW unit with retry inside a request reruns alone: both requests succeed', async () => {
    const responses = await Promise.all([
      request(testApp.url).post('/contend/REQUIRES_NEW/1/2'),
      request(testApp.url).post('/contend/REQUIRES_NEW/2/1'),
    ]);
    expect(responses.map((response) => response.status)).toEqual([201, 201]);
    expect(responses.map((response) => (response.body as { attempts: number }).attempts).sort()).toEqual([1, 2]);
    expect(await values()).toEqual([2, 2]);
  });
});
