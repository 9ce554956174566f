import { BullModule, InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { CurrentTenant, InjectSession, type Session } from 'nestjs-advanced-alchemy';
import {
  createTestTenants,
  startTestApp,
  testDatabaseKinds,
  testTenantSchemaName,
  type TestApp,
  type TestTenants,
} from 'nestjs-advanced-alchemy/testing';
import { REDIS_CONNECTION, describeWithRedis, uniqueQueuePrefix } from '../entry-points/fixtures/redis';
import { waitFor } from '../entry-points/fixtures/wait-for';
import { TenantNote } from './tenant-notes';

// A queue job carries its tenant (in its data): the job's unit works in that tenant's schema, and a
// job without one fails before any statement.

const QUEUE = 'tenant-notes';

@Processor(QUEUE)
class TenantNotesConsumer extends WorkerHost {
  constructor(
    @InjectSession() private readonly session: Session,
    private readonly tenant: CurrentTenant,
  ) {
    super();
  }

  async process(job: Job<{ tenant?: string; label: string }>): Promise<void> {
    await this.session.getRepository(TenantNote).save({ tenant: this.tenant.id, label: job.data.label });
  }
}

@Injectable()
class Enqueuer {
  constructor(@InjectQueue(QUEUE) readonly queue: Queue) {}
}

const onPostgres = testDatabaseKinds().includes('postgres') ? describeWithRedis() : describe.skip;

onPostgres('queue jobs carry their tenant', () => {
  let testApp: TestApp;
  let tenants: TestTenants;

  beforeAll(async () => {
    testApp = await startTestApp({
      kind: 'postgres',
      label: 'tenancy_jobs',
      entities: [TenantNote],
      imports: [
        BullModule.forRoot({ connection: REDIS_CONNECTION, prefix: uniqueQueuePrefix('tenancy-jobs') }),
        BullModule.registerQueue({ name: QUEUE }),
      ],
      providers: [TenantNotesConsumer, Enqueuer],
      config: (_key, database) => ({ tenancy: { strategy: 'schema', schemaName: testTenantSchemaName(database) } }),
      moduleOptions: {
        tenancy: {
          resolve: (source) =>
            source.kind === 'job' ? (source.job as Job<{ tenant?: string }>).data.tenant : undefined,
        },
      },
    });
    tenants = await createTestTenants(testApp.database, ['j1', 'j2']);
  });
  afterAll(async () => {
    await testApp?.app.get(Enqueuer).queue.obliterate({ force: true });
    await tenants?.drop();
    await testApp?.close();
  });

  it("writes each job's row in its tenant's schema; a job without a tenant fails", async () => {
    const queue = testApp.app.get(Enqueuer).queue;
    const jobs = await Promise.all([
      queue.add('note', { tenant: 'j1', label: 'one' }),
      queue.add('note', { tenant: 'j2', label: 'two' }),
      queue.add('note', { label: 'nobody' }),
    ]);
    const states = await Promise.all(
      jobs.map((job) =>
        waitFor(`job ${job.id}`, async () => {
          const state = await queue.getJobState(job.id as string);
          return state === 'completed' || state === 'failed' ? state : undefined;
        }),
      ),
    );
    expect(states).toEqual(['completed', 'completed', 'failed']);
    expect((await queue.getJob(jobs[2].id as string))?.failedReason).toContain('No tenant');
    for (const [tenant, label] of [
      ['j1', 'one'],
      ['j2', 'two'],
    ]) {
      const rows = await testApp.probe.query(`SELECT tenant, label FROM "${tenants.schemaName(tenant)}".tenant_notes`);
      expect(rows).toEqual([{ tenant, label }]);
    }
    expect(await testApp.probe.count('tenant_notes')).toBe(0);
  });
});
