import { freePorts } from '../support/free-port';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { startMariadbReplicaCluster, type MariadbReplicaCluster } from './fixtures/mariadb-replica-cluster';
import { startReplicaApp } from './fixtures/replica-app';
import { testDatabaseKinds } from 'nestjs-advanced-alchemy/testing';

// mariadbd itself starts the servers; where the CI's server is not there, neither is it.
const itWithMariadb = testDatabaseKinds().includes('mariadb') ? it : it.skip;

// A real MariaDB primary and a replica of it (binary log, CHANGE MASTER TO), started for this suite only.
jest.setTimeout(120_000);

let cluster: MariadbReplicaCluster;
let app: INestApplication;

const count = (where: 'primary' | 'replica', label: string): number =>
  Number(cluster.sql(where, `SELECT count(*) FROM replicas_e2e.replica_item WHERE label = '${label}'`).trim());

async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  cluster = await startMariadbReplicaCluster(...((await freePorts(2)) as [number, number]), 'replicas_e2e');
  app = await startReplicaApp({
    connectionString: cluster.primaryUrl,
    replicas: [cluster.replicaUrl],
    routing: { backoffMs: 500 },
    engineConfig: { poolSize: 5, connectTimeout: 2000 },
  });
  await waitFor('the table on the replica', () =>
    cluster.sql('replica', "SHOW TABLES FROM replicas_e2e LIKE 'replica_item'").includes('replica_item'),
  );
});

afterAll(async () => {
  await app?.close();
  cluster?.stop();
});

itWithMariadb(
  'a GET reads from the replica; a write then a read in one request sees its own write on the primary',
  async () => {
    const read = await request(app.getHttpServer()).get('/replicas/read').expect(200);
    expect(read.body.standby).toBe(true);
    // With the replica's SQL thread stopped, only the primary has what is written from now on.
    cluster.sql('replica', 'STOP SLAVE SQL_THREAD');
    try {
      const written = await request(app.getHttpServer())
        .post('/replicas/write-then-read')
        .send({ label: 'own' })
        .expect(201);
      expect(written.body.standby).toBe(false);
      expect({ primary: count('primary', 'own'), replica: count('replica', 'own') }).toEqual({
        primary: 1,
        replica: 0,
      });
      const stale = await request(app.getHttpServer()).get('/replicas/read').expect(200);
      expect(stale.body).toEqual({ standby: true, items: written.body.items - 1 });
    } finally {
      cluster.sql('replica', 'START SLAVE SQL_THREAD');
    }
  },
);

itWithMariadb(
  'reports the replica with Seconds_Behind_Master, and survives its loss: reads fall back, then return',
  async () => {
    const health = await request(app.getHttpServer()).get('/replicas/health').expect(200);
    expect(health.body.database.replicas).toEqual([
      expect.objectContaining({ status: 'up', lagSeconds: expect.any(Number) }),
    ]);
    cluster.killReplica();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => request(app.getHttpServer()).get('/replicas/read')),
    );
    expect(answers.map((answer) => answer.status).filter((status) => status !== 200)).toEqual([]);
    expect(answers.every((answer) => answer.body.standby === false)).toBe(true);
    await cluster.startReplica();
    await waitFor('reads back on the replica', async () => {
      const response = await request(app.getHttpServer()).get('/replicas/read').expect(200);
      return response.body.standby === true;
    });
  },
);
