import { freePorts } from '../support/free-port';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { startStandbyCluster, type StandbyCluster } from '../support/pg-standby-cluster';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdvancedAlchemy, runDatabaseCli } from 'nestjs-advanced-alchemy';
import { replicaAppModule, startReplicaApp } from './fixtures/replica-app';
import { testDatabaseKinds } from 'nestjs-advanced-alchemy/testing';

// PostgreSQL's own binaries start the clusters; where the CI's server is not there, neither are they.
const describeWithPostgres = testDatabaseKinds().includes('postgres') ? describe : describe.skip;

// A real primary and a real streaming standby (pg_basebackup -R), started for this suite only.
jest.setTimeout(120_000);

const APP = 'aa-app';
let cluster: StandbyCluster;
let app: INestApplication;

/** Statements the application (not the probes) ran on the primary, as its log shows them. */
function primaryStatements(): number {
  return cluster
    .primaryLog()
    .split('\n')
    .filter((line) => line.startsWith(`${APP}|`) && line.includes('statement:')).length;
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function replayed(): Promise<boolean> {
  const [primary] = await cluster.query('primary', 'SELECT count(*)::int AS n FROM replica_item');
  const [standby] = await cluster.query('standby', 'SELECT count(*)::int AS n FROM replica_item');
  return primary.n === standby.n;
}

beforeAll(async () => {
  cluster = startStandbyCluster(...((await freePorts(2)) as [number, number]));
  app = await startReplicaApp({
    connectionString: `${cluster.primaryUrl}?application_name=${APP}`,
    replicas: [cluster.standbyUrl],
    routing: { selection: 'round-robin', stickyAfterWrite: true, backoffMs: 500 },
    engineConfig: { poolSize: 5, connectTimeout: 2000 },
  });
  // The table createAll made on the primary reaches the standby by replication.
  await waitFor(
    'the table on the standby',
    async () => (await cluster.query('standby', "SELECT to_regclass('replica_item') IS NOT NULL AS ok"))[0].ok === true,
  );
});

afterAll(async () => {
  await app?.close();
  cluster?.stop();
});

describeWithPostgres('reads go to the standby until the first write', () => {
  it('a GET reads from the standby, through raw SQL and a repository alike', async () => {
    const response = await request(app.getHttpServer()).get('/replicas/read').expect(200);
    expect(response.body.standby).toBe(true);
  });

  it('a GET sees the standby side of a paused replay; a write then a read in one request sees its own write', async () => {
    await cluster.query('primary', "INSERT INTO replica_item (label) VALUES ('before')");
    await waitFor('replay', replayed);
    await cluster.query('standby', 'SELECT pg_wal_replay_pause()');
    try {
      await cluster.query('primary', "INSERT INTO replica_item (label) VALUES ('only-on-primary')");
      const onPrimary = Number((await cluster.query('primary', 'SELECT count(*)::int AS n FROM replica_item'))[0].n);
      const read = await request(app.getHttpServer()).get('/replicas/read').expect(200);
      expect(read.body).toEqual({ standby: true, items: onPrimary - 1 });

      const written = await request(app.getHttpServer())
        .post('/replicas/write-then-read')
        .send({ label: 'own-write' })
        .expect(201);
      // Its read ran on the primary, in the transaction of its write.
      expect(written.body).toEqual({ standby: false, items: onPrimary + 1 });
      // The write went to the primary only: the paused standby has not got it.
      const [{ n: onStandby }] = await cluster.query(
        'standby',
        "SELECT count(*)::int AS n FROM replica_item WHERE label = 'own-write'",
      );
      const [{ n: committed }] = await cluster.query(
        'primary',
        "SELECT count(*)::int AS n FROM replica_item WHERE label = 'own-write'",
      );
      expect({ onStandby, committed }).toEqual({ onStandby: 0, committed: 1 });
    } finally {
      await cluster.query('standby', 'SELECT pg_wal_replay_resume()');
    }
    await waitFor('replay', replayed);
  });

  it('a read-only route never sends a statement to the primary, and its write fails before reaching any server', async () => {
    await request(app.getHttpServer()).get('/replicas/read').expect(200);
    const before = primaryStatements();
    for (let i = 0; i < 20; i++) {
      const response = await request(app.getHttpServer()).get('/replicas/read-only').expect(200);
      expect(response.body.standby).toBe(true);
    }
    const refused = await request(app.getHttpServer()).post('/replicas/read-only-write').send({ label: 'refused' });
    expect(refused.status).toBe(500);
    expect(primaryStatements()).toBe(before);
    // The count is real: a route that writes shows up in it.
    await request(app.getHttpServer()).post('/replicas/write-then-read').send({ label: 'counted' }).expect(201);
    expect(primaryStatements()).toBeGreaterThan(before);
    const [{ n }] = await cluster.query(
      'primary',
      "SELECT count(*)::int AS n FROM replica_item WHERE label = 'refused'",
    );
    expect(n).toBe(0);
  });

  it('a readOnly unit before any write reads from the standby, sends nothing to the primary, and cannot write', async () => {
    await request(app.getHttpServer()).get('/replicas/read').expect(200);
    const before = primaryStatements();
    for (const propagation of ['REQUIRED', 'REQUIRES_NEW', 'REQUIRED', 'REQUIRES_NEW']) {
      const response = await request(app.getHttpServer())
        .get(`/replicas/read-only-unit?propagation=${propagation}`)
        .expect(200);
      expect(response.body.standby).toBe(true);
    }
    const refused = await request(app.getHttpServer())
      .post('/replicas/read-only-unit-write')
      .send({ label: 'unit-refused' });
    expect(refused.status).toBe(500);
    expect(primaryStatements()).toBe(before);
    const [{ n }] = await cluster.query(
      'primary',
      "SELECT count(*)::int AS n FROM replica_item WHERE label = 'unit-refused'",
    );
    expect(n).toBe(0);
    // One snapshot for the whole unit needs a transaction: REPEATABLE READ begins on the primary.
    for (const propagation of ['REQUIRED', 'REQUIRES_NEW']) {
      const repeatable = await request(app.getHttpServer())
        .get(`/replicas/read-only-unit?isolation=REPEATABLE%20READ&propagation=${propagation}`)
        .expect(200);
      expect(repeatable.body.standby).toBe(false);
    }
    // After the unit the session writes, on the primary, and reads its write there.
    const after = await request(app.getHttpServer())
      .post('/replicas/read-only-unit-then-write')
      .send({ label: 'after-unit' })
      .expect(201);
    expect(after.body.map((seen: { standby: boolean }) => seen.standby)).toEqual([true, false]);
    const [{ n: written }] = await cluster.query(
      'primary',
      "SELECT count(*)::int AS n FROM replica_item WHERE label = 'after-unit'",
    );
    expect(written).toBe(1);
  });

  it('the command line reads from the primary: dump-data has a row the paused standby has not', async () => {
    await waitFor('replay', replayed);
    await cluster.query('standby', 'SELECT pg_wal_replay_pause()');
    const directory = mkdtempSync(join(tmpdir(), 'aa-replicas-dump-'));
    try {
      await cluster.query('primary', "INSERT INTO replica_item (label) VALUES ('cli-primary-only')");
      const code = await runDatabaseCli(
        replicaAppModule({ connectionString: cluster.primaryUrl, replicas: [cluster.standbyUrl] }),
        ['database', 'dump-data', '--table', 'replica_item', '--dir', directory],
        { exit: false },
      );
      expect(code).toBe(0);
      const rows = JSON.parse(readFileSync(join(directory, 'default', 'replica_item.json'), 'utf8')) as Array<{
        label: string;
      }>;
      expect(rows.map((row) => row.label)).toContain('cli-primary-only');
    } finally {
      rmSync(directory, { recursive: true, force: true });
      await cluster.query('standby', 'SELECT pg_wal_replay_resume()');
    }
  });

  it('works the same when the replicas come through forRootAsync', async () => {
    const other = await startReplicaApp(
      { connectionString: cluster.primaryUrl, replicas: [{ connectionString: cluster.standbyUrl, poolSize: 2 }] },
      true,
    );
    try {
      const read = await request(other.getHttpServer()).get('/replicas/read').expect(200);
      const written = await request(other.getHttpServer())
        .post('/replicas/write-then-read')
        .send({ label: 'async' })
        .expect(201);
      expect([read.body.standby, written.body.standby]).toEqual([true, false]);
    } finally {
      await other.close();
    }
  });

  it('gives every replica and primary connection back: after concurrent mixed requests no permit is held', async () => {
    const paths = ['/replicas/read', '/replicas/read-only', '/replicas/use-primary', '/replicas/read-only-unit'];
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        i % 5 === 4
          ? request(app.getHttpServer())
              .post('/replicas/write-then-read')
              .send({ label: `mixed-${i}` })
              .expect(201)
          : request(app.getHttpServer())
              .get(paths[i % 4])
              .expect(200),
      ),
    );
    const bind = app.get(AdvancedAlchemy).bindFor();
    await waitFor(
      'every permit back',
      async () => bind.slots?.inUse === 0 && bind.replicas?.pools.every((pool) => pool.slots.inUse === 0) === true,
    );
  });

  it('@UsePrimary() and session.usePrimary() read from the primary', async () => {
    const route = await request(app.getHttpServer()).get('/replicas/primary-route').expect(200);
    const call = await request(app.getHttpServer()).get('/replicas/use-primary').expect(200);
    expect([route.body.standby, call.body.standby]).toEqual([false, false]);
  });
});

describeWithPostgres('selection and lag', () => {
  async function names(other: INestApplication, count: number): Promise<string[]> {
    const seen: string[] = [];
    for (let i = 0; i < count; i++) {
      seen.push((await request(other.getHttpServer()).get('/replicas/whoami').expect(200)).body.name as string);
    }
    return seen;
  }

  it('round-robin takes the replicas in turn, one per request; random uses them all', async () => {
    const replicas = ['r1', 'r2'].map((name) => `${cluster.standbyUrl}?application_name=${name}`);
    const turns = await startReplicaApp({ connectionString: cluster.primaryUrl, replicas });
    const random = await startReplicaApp({
      connectionString: cluster.primaryUrl,
      replicas,
      routing: { selection: 'random' },
    });
    try {
      const inTurn = await names(turns, 6);
      expect(inTurn.slice(1)).toEqual(inTurn.slice(0, 5).map((name) => (name === 'r1' ? 'r2' : 'r1')));
      expect(new Set(await names(random, 30))).toEqual(new Set(['r1', 'r2']));
    } finally {
      await turns.close();
      await random.close();
    }
  });

  it('skips a standby further behind than maxReplicationLagMs, and uses it again once it caught up', async () => {
    const lagging = await startReplicaApp({
      connectionString: cluster.primaryUrl,
      replicas: [cluster.standbyUrl],
      routing: { maxReplicationLagMs: 300, lagCheckIntervalMs: 50 },
    });
    try {
      await waitFor('reads on the standby', async () => (await whoami(lagging)).standby);
      await cluster.query('standby', 'SELECT pg_wal_replay_pause()');
      try {
        await cluster.query('primary', "INSERT INTO replica_item (label) VALUES ('unreplayed')");
        await new Promise((resolve) => setTimeout(resolve, 400));
        await waitFor('reads on the primary', async () => !(await whoami(lagging)).standby);
        const health = await request(lagging.getHttpServer()).get('/replicas/health').expect(200);
        expect(health.body.database.replicas[0].lagSeconds).toBeGreaterThan(0.3);
      } finally {
        await cluster.query('standby', 'SELECT pg_wal_replay_resume()');
      }
      await waitFor('reads back on the standby', async () => (await whoami(lagging)).standby);
    } finally {
      await lagging.close();
    }
  });
});

async function whoami(other: INestApplication): Promise<{ name: string; standby: boolean }> {
  return (await request(other.getHttpServer()).get('/replicas/whoami').expect(200)).body as {
    name: string;
    standby: boolean;
  };
}

describeWithPostgres('when the standby stops answering without closing its sockets', () => {
  it('drops the connection at the statement deadline and answers from the primary', async () => {
    const hung = await startReplicaApp({
      connectionString: cluster.primaryUrl,
      replicas: [cluster.standbyUrl],
      routing: { backoffMs: 60_000 },
      engineConfig: { statementTimeout: 500, connectTimeout: 1000 },
    });
    try {
      expect((await whoami(hung)).standby).toBe(true);
      cluster.freezeStandby(true);
      try {
        const started = Date.now();
        const answer = await whoami(hung);
        expect(answer.standby).toBe(false);
        // The deadline (statement timeout + 1 s) and not TCP's minutes.
        expect(Date.now() - started).toBeLessThan(5_000);
        // Out of rotation now: the next reads do not wait.
        const next = Date.now();
        expect((await whoami(hung)).standby).toBe(false);
        expect(Date.now() - next).toBeLessThan(1_000);
      } finally {
        cluster.freezeStandby(false);
      }
    } finally {
      await hung.close();
    }
  });
});

describeWithPostgres('when the standby goes away', () => {
  it('loses no request: reads fall back to the primary, then return to the standby once it is back', async () => {
    const health = await request(app.getHttpServer()).get('/replicas/health').expect(200);
    expect(health.body.database.replicas).toEqual([
      expect.objectContaining({ status: 'up', lagSeconds: expect.any(Number) }),
    ]);

    const answers: Array<{ status: number; standby?: boolean }> = [];
    let killed = false;
    const worker = async (): Promise<void> => {
      for (let i = 0; i < 40; i++) {
        const response = await request(app.getHttpServer()).get('/replicas/read');
        answers.push({ status: response.status, standby: response.body.standby });
        if (!killed && answers.length >= 40) {
          killed = true;
          cluster.killStandby();
        }
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    expect(answers.filter((answer) => answer.status !== 200)).toEqual([]);
    expect(answers.some((answer) => answer.standby === true)).toBe(true);
    expect(answers.some((answer) => answer.standby === false)).toBe(true);

    const down = await request(app.getHttpServer()).get('/replicas/health').expect(200);
    expect(down.body.database.status).toBe('up');
    expect(down.body.database.replicas).toEqual([expect.objectContaining({ status: 'down' })]);

    cluster.startStandby();
    await waitFor('reads back on the standby', async () => {
      const response = await request(app.getHttpServer()).get('/replicas/read').expect(200);
      return response.body.standby === true;
    });
  });
});
