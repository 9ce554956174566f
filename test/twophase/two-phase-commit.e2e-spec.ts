import { Module, type INestApplication } from '@nestjs/common';
import { AdvancedAlchemy, AdvancedAlchemyModule, Transactional } from 'nestjs-advanced-alchemy';
import { createTestDatabase, testDatabaseKinds, type DatabaseProbe } from 'nestjs-advanced-alchemy/testing';
import { createDeferredForeignKey } from '../commit/fixtures/deferred-foreign-key';
import { startHttpApp } from '../commit/fixtures/start-app';
import { ClientProxyFactory, Transport, type MicroserviceOptions } from '@nestjs/microservices';
import { firstValueFrom } from 'rxjs';
import { freePort } from '../support/free-port';
import { StatementRecorder } from '../service/fixtures/statement-recorder';
import { atDecision, poll } from './fixtures/barriers';
import { ROWS, leftPrepared, startTwoPhaseApp, twoPhaseConfigs } from './fixtures/two-phase-app';
import { describeTwoPhase, openTwoPhaseDatabases, type TwoPhaseDatabases } from './fixtures/two-phase-databases';

describeTwoPhase('two-phase commit across a MariaDB and a PostgreSQL bind key', () => {
  let db: TwoPhaseDatabases;
  let prefix: string;
  let pgUrl: string;
  let maria: DatabaseProbe;
  let pg: DatabaseProbe;
  let app: INestApplication | undefined;
  let url: string;
  const statements = new StatementRecorder();

  beforeAll(async () => {
    db = await openTwoPhaseDatabases(await freePort(), 'commit');
    ({ prefix, pgUrl, maria, pg } = db);
    await createDeferredForeignKey(pg);
    // A barrier at PREPARE: a deferred constraint trigger that waits for advisory lock 4242 on
    // rows whose marker starts with "barrier" (deferred triggers run at PREPARE TRANSACTION).
    await pg.query(
      'CREATE FUNCTION tp_barrier() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ' +
        "IF NEW.marker LIKE 'barrier%' THEN PERFORM pg_advisory_xact_lock(4242); END IF; RETURN NULL; END $$",
    );
    await pg.query(
      `CREATE CONSTRAINT TRIGGER tp_barrier AFTER INSERT ON ${ROWS} DEFERRABLE INITIALLY DEFERRED ` +
        'FOR EACH ROW EXECUTE FUNCTION tp_barrier()',
    );
    app = await startTwoPhaseApp(twoPhaseConfigs(db.mariaUrl, pgUrl, prefix, statements));
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await db?.close();
  }, 60_000);

  const post = (path: string): Promise<Response> => fetch(`${url}${path}`, { method: 'POST' });
  const rowsOf = (marker: string): Promise<[number, number]> => db.rowsOf(marker);
  const nothingPrepared = async (): Promise<void> => expect(await db.prepared()).toEqual([0, 0]);

  it('prepares both, records the decision, commits both, then answers', async () => {
    const from = statements.statements.length;
    const response = await post('/tp?marker=both');
    expect(response.status).toBe(201);
    expect(await rowsOf('both')).toEqual([1, 1]);
    const sent = statements.statements.slice(from);
    const order = [
      'XA START',
      'XA PREPARE',
      'PREPARE TRANSACTION',
      'INSERT INTO aa_twophase_decisions',
      'XA COMMIT',
      'COMMIT PREPARED',
    ];
    const positions = order.map((verb) => sent.findIndex((sql) => sql.startsWith(verb)));
    expect(positions.every((position) => position >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    await nothingPrepared();
  });

  it('commits normally when only one participant wrote (no PREPARE)', async () => {
    const from = statements.statements.length;
    expect((await post('/tp/one?marker=one')).status).toBe(201);
    expect(await rowsOf('one')).toEqual([1, 0]);
    const sent = statements.statements.slice(from);
    expect(sent.some((sql) => /PREPARE/.test(sql))).toBe(false);
    expect(sent.some((sql) => /^XA COMMIT '.*' ONE PHASE$/.test(sql))).toBe(true);
    await nothingPrepared();
  });

  it('rolls back both when the second participant fails its PREPARE (deferred foreign key)', async () => {
    const response = await post('/tp?marker=deferred&orphan=1');
    expect(response.status).toBe(500);
    expect(await response.text()).toMatch(/Nothing was stored/);
    expect(await rowsOf('deferred')).toEqual([0, 0]);
    await nothingPrepared();
  });

  const WAITING_AT_BARRIER = "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND NOT granted";

  /** Holds PostgreSQL's PREPARE at the barrier, runs `during`, then lets the PREPARE go on. */
  async function atPostgresPrepare(marker: string, during: () => Promise<void>): Promise<Response> {
    await pg.query('SELECT pg_advisory_lock(4242)');
    let answer: Promise<Response>;
    try {
      answer = post(`/tp?marker=${marker}`);
      await poll(async () => (await pg.query(WAITING_AT_BARRIER)).length > 0);
      await during();
    } finally {
      await pg.query('SELECT pg_advisory_unlock(4242)');
    }
    return answer;
  }

  const holdDecision = (marker: string, during: (insertingPid: number) => Promise<void>): Promise<Response> =>
    atDecision(pgUrl, pg, () => post(`/tp?marker=${marker}`), during);

  it('rolls back both when PostgreSQL is killed during its PREPARE (phase 1)', async () => {
    const response = await atPostgresPrepare('barrier_pg_killed', async () => {
      await pg.query(`SELECT pg_terminate_backend(pid) FROM (${WAITING_AT_BARRIER}) AS waiting`);
    });
    expect(response.status).toBe(500);
    expect(await rowsOf('barrier_pg_killed')).toEqual([0, 0]);
    await nothingPrepared();
  });

  it('commits both when MariaDB is killed after its XA PREPARE while PostgreSQL prepares (phase 1)', async () => {
    // A prepared XA transaction outlives its connection: the commit goes on, on a fresh connection.
    const response = await atPostgresPrepare('barrier_maria_killed', async () => {
      expect(await leftPrepared(maria, prefix)).toHaveLength(1);
      await killAppConnections(maria);
    });
    expect(response.status).toBe(201);
    expect(await rowsOf('barrier_maria_killed')).toEqual([1, 1]);
    await nothingPrepared();
  });

  it('commits both when MariaDB is killed after both prepared (phase 2 finishes on a fresh connection)', async () => {
    const response = await holdDecision('phase2_maria_killed', async () => {
      expect(await leftPrepared(pg, prefix)).toHaveLength(1);
      expect(await leftPrepared(maria, prefix)).toHaveLength(1);
      await killAppConnections(maria);
    });
    expect(response.status).toBe(201);
    expect(await rowsOf('phase2_maria_killed')).toEqual([1, 1]);
    await nothingPrepared();
  });

  it('rolls back both when the connection recording the decision is killed before it is recorded', async () => {
    const response = await holdDecision('decision_killed', async (insertingPid) => {
      await pg.query('SELECT pg_terminate_backend(?)', [insertingPid]);
    });
    expect(response.status).toBe(500);
    expect(await rowsOf('decision_killed')).toEqual([0, 0]);
    await nothingPrepared();
  });

  it('withSession across both bind keys uses the same protocol: both or neither', async () => {
    const alchemy = (app as INestApplication).get(AdvancedAlchemy);
    const from = statements.statements.length;
    await alchemy.withSession('maria', async (session) => {
      await session.query(`INSERT INTO ${ROWS} (marker) VALUES (?)`, ['with_session']);
      await alchemy.getSession('pg').query(`INSERT INTO ${ROWS} (marker) VALUES ($1)`, ['with_session']);
    });
    expect(statements.statements.slice(from).some((sql) => sql.startsWith('PREPARE TRANSACTION'))).toBe(true);
    expect(await rowsOf('with_session')).toEqual([1, 1]);
    const failed = alchemy.withSession('maria', async (session) => {
      await session.query(`INSERT INTO ${ROWS} (marker) VALUES (?)`, ['with_session_failed']);
      const pgSession = alchemy.getSession('pg');
      await pgSession.query(`INSERT INTO ${ROWS} (marker) VALUES ($1)`, ['with_session_failed']);
      await pgSession.query('INSERT INTO fk_children (parent_id, marker) VALUES (-1, $1)', ['with_session_failed']);
    });
    await expect(failed).rejects.toThrow(/could not prepare its transaction/);
    expect(await rowsOf('with_session_failed')).toEqual([0, 0]);
    await nothingPrepared();
  });

  it('a @Transactional() unit outside any scope that writes to both uses the same protocol', async () => {
    const alchemy = (app as INestApplication).get(AdvancedAlchemy);
    class Writer {
      @Transactional({ bindKey: 'maria' })
      async write(marker: string, orphan: boolean): Promise<void> {
        await alchemy.getSession('maria').query(`INSERT INTO ${ROWS} (marker) VALUES (?)`, [marker]);
        await alchemy.getSession('pg').query(`INSERT INTO ${ROWS} (marker) VALUES ($1)`, [marker]);
        if (orphan) {
          await alchemy.getSession('pg').query('INSERT INTO fk_children (parent_id, marker) VALUES (-1, $1)', [marker]);
        }
      }
    }
    await new Writer().write('unit_ok', false);
    expect(await rowsOf('unit_ok')).toEqual([1, 1]);
    await expect(new Writer().write('unit_failed', true)).rejects.toThrow(/could not prepare/);
    expect(await rowsOf('unit_failed')).toEqual([0, 0]);
    await nothingPrepared();
  });

  it('a message handler writing to both uses the same protocol', async () => {
    const tcp = { host: '127.0.0.1', port: await freePort() };
    const application = app as INestApplication;
    application.connectMicroservice<MicroserviceOptions>({ transport: Transport.TCP, options: tcp });
    await application.startAllMicroservices();
    const client = ClientProxyFactory.create({ transport: Transport.TCP, options: tcp });
    await client.connect();
    try {
      await expect(firstValueFrom(client.send('tp.write', { marker: 'message_ok' }))).resolves.toBeDefined();
      expect(await rowsOf('message_ok')).toEqual([1, 1]);
      await expect(
        firstValueFrom(client.send('tp.write', { marker: 'message_failed', orphan: true })),
      ).rejects.toBeDefined();
      expect(await rowsOf('message_failed')).toEqual([0, 0]);
      await nothingPrepared();
    } finally {
      client.close();
    }
  });

  async function killAppConnections(probe: DatabaseProbe): Promise<void> {
    const ids = await probe.query<{ id: number }>(
      'SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND ID <> CONNECTION_ID()',
    );
    for (const { id } of ids) await probe.query(`KILL CONNECTION ${Number(id)}`);
  }
});

describe('twophase configuration errors at startup', () => {
  const start = async (connectionString: string): Promise<unknown> => {
    @Module({
      imports: [AdvancedAlchemyModule.forRoot([{ connectionString, sessionConfig: { twophase: true } }])],
    })
    class BadModule {}
    return startHttpApp(BadModule, 'express').then(
      (app) => app.close().then(() => undefined),
      (error: unknown) => error,
    );
  };

  it('refuses twophase on SQLite', async () => {
    const database = await createTestDatabase('sqlite', 'twophase');
    try {
      expect(String(await start(database.connectionString))).toMatch(
        /sessionConfig\.twophase .*SQLite has no two-phase commit: remove sessionConfig\.twophase/,
      );
    } finally {
      await database.drop();
    }
  });

  (testDatabaseKinds().includes('postgres') ? it : it.skip)(
    'refuses twophase on a PostgreSQL server with max_prepared_transactions = 0, naming the setting',
    async () => {
      const database = await createTestDatabase('postgres', 'twophase');
      try {
        expect(String(await start(database.connectionString))).toMatch(
          /max_prepared_transactions = 0.*set max_prepared_transactions/,
        );
      } finally {
        await database.drop();
      }
    },
  );
});
