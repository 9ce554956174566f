import type { INestApplication } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import {
  createTestDatabase,
  openProbe,
  testDatabaseKinds,
  type DatabaseProbe,
  type TestDatabase,
} from 'nestjs-advanced-alchemy/testing';
import { COMMIT_ROWS } from '../commit/fixtures/commit-row.entity';
import { createDeferredForeignKey, hasDeferredConstraints } from '../commit/fixtures/deferred-foreign-key';
import { newMarker } from '../commit/fixtures/markers';
import { Queues, startJobsApp } from './fixtures/jobs-app';
import { describeWithRedis, uniqueQueuePrefix } from './fixtures/redis';
import { waitFor } from './fixtures/wait-for';

/** The job once BullMQ has settled it (completed, or failed for good). */
async function settled(
  queue: Queue,
  job: Job,
): Promise<{ state: string; attemptsMade: number; failedReason?: string }> {
  return waitFor(`job ${job.id} to settle`, async () => {
    const state = await queue.getJobState(job.id as string);
    if (state !== 'completed' && state !== 'failed') return undefined;
    const fresh = (await queue.getJob(job.id as string)) as Job;
    return { state, attemptsMade: fresh.attemptsMade, failedReason: fresh.failedReason };
  });
}

// A BullMQ job is a unit of work: committed before BullMQ marks it complete, rolled back when it
// throws (BullMQ then retries it by its attempts), and failed when its COMMIT fails.
describeWithRedis().each(testDatabaseKinds())('BullMQ jobs on %s', (kind) => {
  let database: TestDatabase;
  let probe: DatabaseProbe;
  let app: INestApplication;
  let queues: Queues;
  const rowsOf = (marker: string) => probe.count(COMMIT_ROWS, 'marker = ?', [marker]);

  beforeAll(async () => {
    database = await createTestDatabase(kind, 'entry_jobs');
    app = await startJobsApp(database.connectionString, uniqueQueuePrefix('queue-jobs'));
    probe = await openProbe(database.connectionString);
    if (hasDeferredConstraints(kind)) await createDeferredForeignKey(probe);
    queues = app.get(Queues);
  });
  afterAll(async () => {
    await Promise.all(
      [queues?.rows, queues?.selfManaged, queues?.perJob].map((queue) => queue?.obliterate({ force: true })),
    );
    await app?.close();
    await probe?.close();
    await database?.drop();
  });

  it('a job that resolves: its row is committed by the time the job is complete', async () => {
    const marker = newMarker();
    const job = await queues.rows.add('write', { marker });
    expect(await settled(queues.rows, job)).toMatchObject({ state: 'completed', attemptsMade: 1 });
    expect(await rowsOf(marker)).toBe(1);
    // The @OnWorkerEvent('completed') handler ran as a unit of its own.
    await waitFor('the completed handler row', async () =>
      (await rowsOf(`${marker}:completed`)) === 1 ? true : undefined,
    );
  });

  it('a job that throws after writing: rolled back on each of its attempts, failed for good', async () => {
    const marker = newMarker();
    const job = await queues.rows.add('write', { marker, fail: true }, { attempts: 3 });
    expect(await settled(queues.rows, job)).toMatchObject({ state: 'failed', attemptsMade: 3 });
    expect((await settled(queues.rows, job)).failedReason).toBe(`job ${marker} failed after writing`);
    expect(await rowsOf(marker)).toBe(0);
  });

  (hasDeferredConstraints(kind) ? it : it.skip)(
    'a job whose COMMIT fails: the job fails, BullMQ retries it, and the row is stored exactly once',
    async () => {
      const marker = newMarker();
      const job = await queues.rows.add('write', { marker, orphanWhileAttemptsBelow: 1 }, { attempts: 3 });
      // Attempt 1: process() resolved but COMMIT refused the orphan, so the job failed; attempt 2 committed.
      expect(await settled(queues.rows, job)).toMatchObject({ state: 'completed', attemptsMade: 2 });
      expect(await rowsOf(marker)).toBe(1);
    },
  );

  (hasDeferredConstraints(kind) ? it : it.skip)(
    'a job whose COMMIT fails on every attempt: failed, nothing stored',
    async () => {
      const marker = newMarker();
      const job = await queues.rows.add('write', { marker, orphanWhileAttemptsBelow: 99 }, { attempts: 2 });
      const outcome = await settled(queues.rows, job);
      expect(outcome).toMatchObject({ state: 'failed', attemptsMade: 2 });
      expect(outcome.failedReason).toMatch(/foreign key|FOREIGN KEY/);
      expect(await rowsOf(marker)).toBe(0);
    },
  );

  it('a request-scoped processor (an object per job): committed when it resolves, rolled back when it throws', async () => {
    const [resolves, throws] = [newMarker(), newMarker()];
    const resolving = await queues.perJob.add('write', { marker: resolves });
    const throwing = await queues.perJob.add('write', { marker: throws, fail: true });
    expect(await settled(queues.perJob, resolving)).toMatchObject({ state: 'completed' });
    expect(await settled(queues.perJob, throwing)).toMatchObject({ state: 'failed' });
    expect([await rowsOf(resolves), await rowsOf(throws)]).toEqual([1, 0]);
  });

  it('@SkipSessionScope(): the module opens no unit; the processor may open its own', async () => {
    const [own, none] = [newMarker(), newMarker()];
    const ownJob = await queues.selfManaged.add('write', { marker: own, ownUnit: true });
    const noneJob = await queues.selfManaged.add('write', { marker: none, ownUnit: false });
    expect(await settled(queues.selfManaged, ownJob)).toMatchObject({ state: 'completed' });
    const skipped = await settled(queues.selfManaged, noneJob);
    expect(skipped.state).toBe('failed');
    expect(skipped.failedReason).toMatch(/withSession/);
    expect(await rowsOf(own)).toBe(1);
    expect(await rowsOf(none)).toBe(0);
  });
});
