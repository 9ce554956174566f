import { BullModule, InjectQueue, OnQueueCompleted, Process, Processor } from '@nestjs/bull';
import { Injectable, Module, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Job, Queue } from 'bull';
import { AdvancedAlchemyModule, InjectSession, type Session } from 'nestjs-advanced-alchemy';
import {
  createTestDatabase,
  openProbe,
  testDatabaseKinds,
  type DatabaseProbe,
  type TestDatabase,
} from 'nestjs-advanced-alchemy/testing';
import { COMMIT_ROWS, CommitRow } from '../commit/fixtures/commit-row.entity';
import {
  createDeferredForeignKey,
  hasDeferredConstraints,
  insertOrphan,
} from '../commit/fixtures/deferred-foreign-key';
import { newMarker } from '../commit/fixtures/markers';
import { RowWriter } from '../commit/fixtures/row-writer.service';
import { describeWithRedis, REDIS_CONNECTION, uniqueQueuePrefix } from './fixtures/redis';
import { waitFor } from './fixtures/wait-for';

interface RowJob {
  marker: string;
  fail?: boolean;
  orphanWhileAttemptsBelow?: number;
}

/** A Bull 4 consumer as Nest's queue docs write one: a `@Process()` method, no transaction code. */
@Processor('bull-rows')
class BullRowsConsumer {
  constructor(
    private readonly rows: RowWriter,
    @InjectSession() private readonly session: Session,
  ) {}

  @Process()
  async write(job: Job<RowJob>): Promise<void> {
    await this.rows.write(job.data.marker);
    if ((job.data.orphanWhileAttemptsBelow ?? 0) > job.attemptsMade) await insertOrphan(this.session, job.data.marker);
    if (job.data.fail) throw new Error(`job ${job.data.marker} failed after writing`);
  }

  @OnQueueCompleted()
  async completed(job: Job<RowJob>): Promise<void> {
    await this.rows.write(`${job.data.marker}:completed`);
  }
}

@Injectable()
class BullQueue {
  constructor(@InjectQueue('bull-rows') readonly queue: Queue<RowJob>) {}
}

async function settled(queue: Queue<RowJob>, id: Job['id']) {
  return waitFor(`job ${id} to settle`, async () => {
    const job = await queue.getJob(id);
    const state = await job?.getState();
    if (!job || (state !== 'completed' && state !== 'failed')) return undefined;
    // Bull 4 marks an attempt failed before it moves the job back for its retry: a job seen 'failed'
    // with attempts left is between two attempts (a window a loaded machine widens), not settled.
    if (state === 'failed' && job.attemptsMade < (job.opts.attempts ?? 1)) return undefined;
    return { state, attemptsMade: job.attemptsMade, failedReason: job.failedReason };
  });
}

// Bull 4 (`@nestjs/bull`) is served by the same queue adapter as BullMQ: one unit of work per attempt.
describeWithRedis().each(testDatabaseKinds())('Bull 4 jobs on %s', (kind) => {
  let database: TestDatabase;
  let probe: DatabaseProbe;
  let app: INestApplication;
  let queue: Queue<RowJob>;
  const rowsOf = (marker: string) => probe.count(COMMIT_ROWS, 'marker = ?', [marker]);

  beforeAll(async () => {
    database = await createTestDatabase(kind, 'entry_bull');
    @Module({
      imports: [
        AdvancedAlchemyModule.forRoot({
          connectionString: database.connectionString,
          entities: [CommitRow],
          createAll: true,
          commitMode: 'autocommit',
        }),
        BullModule.forRoot({ redis: REDIS_CONNECTION, prefix: uniqueQueuePrefix('bull-jobs') }),
        BullModule.registerQueue({ name: 'bull-rows' }),
      ],
      providers: [RowWriter, BullRowsConsumer, BullQueue],
    })
    class BullJobsModule {}
    const moduleRef = await Test.createTestingModule({ imports: [BullJobsModule] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    queue = app.get(BullQueue).queue;
    probe = await openProbe(database.connectionString);
    if (hasDeferredConstraints(kind)) await createDeferredForeignKey(probe);
  });
  afterAll(async () => {
    await queue?.obliterate({ force: true });
    await app?.close();
    await probe?.close();
    await database?.drop();
  });

  it('a job that resolves: committed by the time it is complete; the completed listener is a unit too', async () => {
    const marker = newMarker();
    const job = await queue.add({ marker });
    expect(await settled(queue, job.id)).toMatchObject({ state: 'completed' });
    expect(await rowsOf(marker)).toBe(1);
    await waitFor('the completed listener row', async () =>
      (await rowsOf(`${marker}:completed`)) === 1 ? true : undefined,
    );
  });

  it('a job that throws after writing: rolled back on each attempt', async () => {
    const marker = newMarker();
    const job = await queue.add({ marker, fail: true }, { attempts: 2 });
    expect(await settled(queue, job.id)).toMatchObject({
      state: 'failed',
      attemptsMade: 2,
      failedReason: `job ${marker} failed after writing`,
    });
    expect(await rowsOf(marker)).toBe(0);
  });

  (hasDeferredConstraints(kind) ? it : it.skip)(
    'a job whose COMMIT fails once: failed, retried, stored once',
    async () => {
      const marker = newMarker();
      const job = await queue.add({ marker, orphanWhileAttemptsBelow: 1 }, { attempts: 3 });
      expect(await settled(queue, job.id)).toMatchObject({ state: 'completed', attemptsMade: 1 });
      expect(await rowsOf(marker)).toBe(1);
    },
  );
});
