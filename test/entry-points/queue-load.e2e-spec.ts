import { Injectable, Module, type INestApplication } from '@nestjs/common';
import { BullModule, InjectQueue, OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Test } from '@nestjs/testing';
import type { Job, Queue } from 'bullmq';
import { AdvancedAlchemyModule, InjectSession, type Session } from 'nestjs-advanced-alchemy';
import {
  createTestDatabase,
  openProbe,
  testDatabaseKinds,
  type DatabaseProbe,
  type TestDatabase,
} from 'nestjs-advanced-alchemy/testing';
import { setTimeout as sleep } from 'node:timers/promises';
import { recordFigure } from '../reliability/fixtures/figures';
import { databaseName, killAllConnections, OUTCOME_UNKNOWN } from '../reliability/fixtures/kill-backends';
import { eachKind } from '../support/each-kind';
import { describeWithRedis, REDIS_CONNECTION, uniqueQueuePrefix } from './fixtures/redis';
import { waitFor } from './fixtures/wait-for';

const JOBS = 500;
const ATTEMPTS = 3;
const KILL_EVERY_MS = 300;
const JOB_ROWS = 'job_rows';

/** Job i: 15 % throw on every attempt (fail for good), 15 % throw on their first attempt only, the rest write. */
function planOf(index: number): 'always-throws' | 'throws-once' | 'writes' {
  const slot = index % 20;
  if (slot < 3) return 'always-throws';
  if (slot < 6) return 'throws-once';
  return 'writes';
}

interface LoadJob {
  marker: string;
  plan: ReturnType<typeof planOf>;
}

/** The jobs whose failures may have hidden a COMMIT that happened (its connection died during it). */
@Injectable()
class InDoubt {
  readonly markers = new Set<string>();
}

@Processor('load', { concurrency: 16 })
class LoadConsumer extends WorkerHost {
  constructor(
    @InjectSession() private readonly session: Session,
    private readonly inDoubt: InDoubt,
  ) {
    super();
  }

  async process(job: Job<LoadJob>): Promise<void> {
    const placeholder = this.session.dataSource.options.type === 'postgres' ? '$1' : '?';
    await this.session.query(`INSERT INTO ${JOB_ROWS} (marker) VALUES (${placeholder})`, [job.data.marker]);
    const { plan } = job.data;
    if (plan === 'always-throws' || (plan === 'throws-once' && job.attemptsMade === 0)) {
      throw new Error(`job ${job.data.marker} throws on attempt ${job.attemptsMade + 1}`);
    }
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job<LoadJob> | undefined, error: Error): void {
    if (job && OUTCOME_UNKNOWN.test(error.message)) this.inDoubt.markers.add(job.data.marker);
  }
}

@Injectable()
class LoadQueue {
  constructor(@InjectQueue('load') readonly queue: Queue<LoadJob>) {}
}

// Needs a server database (connections to kill) and Redis.
const servers = describeWithRedis() === describe ? testDatabaseKinds().filter((kind) => kind !== 'sqlite') : [];

// Under load, with the database's connections killed again and again: every job that completed
// stored its row exactly once, and no job that failed for good stored anything (but one whose
// COMMIT was cut mid-way, which the database cannot tell, and which says so).
eachKind(servers)('500 BullMQ jobs with backends killed on %s', (kind) => {
  let database: TestDatabase;
  let probe: DatabaseProbe;
  let app: INestApplication;
  let queue: Queue<LoadJob>;

  beforeAll(async () => {
    database = await createTestDatabase(kind, 'entry_job_load');
    probe = await openProbe(database.connectionString);
    // No unique key: a job stored twice (a retry after a COMMIT that did happen) would show.
    await probe.query(`CREATE TABLE ${JOB_ROWS} (marker varchar(64) NOT NULL)`);
    @Module({
      imports: [
        AdvancedAlchemyModule.forRoot({
          connectionString: database.connectionString,
          commitMode: 'autocommit',
          engineConfig: { poolSize: 4 },
        }),
        BullModule.forRoot({ connection: REDIS_CONNECTION, prefix: uniqueQueuePrefix('queue-load') }),
        BullModule.registerQueue({ name: 'load', defaultJobOptions: { attempts: ATTEMPTS } }),
      ],
      providers: [LoadConsumer, LoadQueue, InDoubt],
    })
    class LoadModule {}
    const moduleRef = await Test.createTestingModule({ imports: [LoadModule] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    queue = app.get(LoadQueue).queue;
  });
  afterAll(async () => {
    await queue?.obliterate({ force: true });
    await app?.close();
    await probe?.close();
    await database?.drop();
  }, 30_000);

  it(`${JOBS} jobs, 30 % throwing, attempts: ${ATTEMPTS}: one row per completed job, none per failed job`, async () => {
    const jobs = await queue.addBulk(
      Array.from({ length: JOBS }, (_, index) => ({
        name: 'write',
        data: { marker: `job-${index}-${Math.random().toString(36).slice(2)}`, plan: planOf(index) },
      })),
    );
    const name = databaseName(database.connectionString);
    let killed = 0;
    let counts = await queue.getJobCounts('completed', 'failed');
    const deadline = performance.now() + 45_000;
    while ((counts.completed ?? 0) + (counts.failed ?? 0) < JOBS && performance.now() < deadline) {
      killed += await killAllConnections(probe, name);
      await sleep(KILL_EVERY_MS);
      counts = await queue.getJobCounts('completed', 'failed');
    }
    await waitFor('every job to settle', async () => {
      const settled = await queue.getJobCounts('completed', 'failed');
      return (settled.completed ?? 0) + (settled.failed ?? 0) === JOBS ? settled : undefined;
    });
    expect(killed).toBeGreaterThan(0);

    const stored = new Map<string, number>();
    for (const { marker } of await probe.query<{ marker: string }>(`SELECT marker FROM ${JOB_ROWS}`)) {
      stored.set(marker, (stored.get(marker) ?? 0) + 1);
    }
    const inDoubt = app.get(InDoubt).markers;
    const wrong: string[] = [];
    let completed = 0;
    for (const job of jobs) {
      const state = await queue.getJobState(job.id as string);
      const { marker, plan } = job.data;
      const rows = stored.get(marker) ?? 0;
      // A COMMIT cut by a kill may have happened: that attempt's row may be there besides the retry's.
      const expected = state === 'completed' ? 1 : 0;
      if (state === 'completed') completed++;
      if (state === 'completed' && plan === 'always-throws') wrong.push(`${marker}: completed though it always throws`);
      if (rows !== expected && !(inDoubt.has(marker) && rows > expected)) {
        wrong.push(`${marker}: ${state} (${plan}) with ${rows} row(s)`);
      }
    }
    expect(wrong).toEqual([]);
    recordFigure(
      'queue-load',
      `${kind} completed / failed / connections killed / in doubt`,
      `${completed} / ${JOBS - completed} / ${killed} / ${inDoubt.size}`,
    );
    // Most jobs that can complete did, despite the kills (retries absorb them).
    expect(completed).toBeGreaterThan(JOBS * 0.5);
  }, 60_000);
});
