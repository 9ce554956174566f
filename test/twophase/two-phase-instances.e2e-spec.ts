import { freePort } from '../support/free-port';
import type { INestApplication } from '@nestjs/common';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runDatabaseCli } from 'nestjs-advanced-alchemy';
import { openProbe, type DatabaseProbe } from 'nestjs-advanced-alchemy/testing';
import { startChildApp, type ChildApp } from '../reliability/fixtures/child-process';
import { poll } from './fixtures/barriers';
import {
  leftPrepared,
  startTwoPhaseApp,
  twoPhaseConfigs,
  twoPhaseModule,
  type TwoPhaseTiming,
} from './fixtures/two-phase-app';
import { describeTwoPhase, openTwoPhaseDatabases, type TwoPhaseDatabases } from './fixtures/two-phase-databases';

// Several instances of one application on the same databases. An instance that starts (or runs its
// periodic recovery) must leave alone the transactions another live instance has prepared and not
// decided yet; a SIGKILLed instance's in-doubt transactions are finished by the survivors once its
// lease expired, within lease + recovery interval.

const LEASE_MS = 1_000;
const INTERVAL_MS = 300;
const TIMING: TwoPhaseTiming = { twophaseLeaseMs: LEASE_MS, twophaseRecoveryIntervalMs: INTERVAL_MS };
/** A PostgreSQL advisory lock the test holds to keep a PREPARE TRANSACTION waiting (see `held` rows). */
const HOLD_LOCK = 4242;
/** The commit decision (recovery's own `abort` rows do not match). */
const DECISION = "^INSERT INTO aa_twophase_decisions \\(xid, outcome\\) VALUES .*'commit'";
/** The first statement of phase 2 (MariaDB is declared first). */
const PHASE_TWO = '^XA COMMIT';

describeTwoPhase('two-phase commit with several instances', () => {
  let db: TwoPhaseDatabases;
  let pg: DatabaseProbe;
  const apps: INestApplication[] = [];
  const children: ChildApp[] = [];

  beforeAll(async () => {
    db = await openTwoPhaseDatabases(await freePort(), 'instances', 20);
    pg = db.pg;
    // On PostgreSQL, rows marked "held…" wait at PREPARE TRANSACTION (deferred triggers run there)
    // for the advisory lock the test holds: MariaDB, declared first, is prepared by then.
    await pg.query(
      'CREATE FUNCTION tp_hold() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ' +
        `IF NEW.marker LIKE 'held%' THEN PERFORM pg_advisory_xact_lock(${HOLD_LOCK}); END IF; RETURN NULL; END $$`,
    );
    await pg.query(
      'CREATE CONSTRAINT TRIGGER tp_hold AFTER INSERT ON tp_rows DEFERRABLE INITIALLY DEFERRED ' +
        'FOR EACH ROW EXECUTE FUNCTION tp_hold()',
    );
  }, 60_000);

  afterAll(async () => {
    for (const child of children) if (child.isAlive()) child.kill();
    for (const app of apps) await app.close();
    await db?.close();
  }, 60_000);

  const startInstance = async (): Promise<string> => {
    const app = await startTwoPhaseApp(twoPhaseConfigs(db.mariaUrl, db.pgUrl, db.prefix, undefined, TIMING));
    apps.push(app);
    return (await app.getUrl()).replace('[::1]', '127.0.0.1');
  };

  async function recoverWithCli(): Promise<{ code: number; out: string }> {
    let out = '';
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += chunk.toString();
      return true;
    });
    try {
      const module = twoPhaseModule(twoPhaseConfigs(db.mariaUrl, db.pgUrl, db.prefix, undefined, TIMING));
      const code = await runDatabaseCli(module, ['db', 'recover'], { exit: false });
      return { code, out };
    } finally {
      write.mockRestore();
    }
  }

  it('an instance that starts, and db recover, leave alone a transaction another live instance has prepared and not decided', async () => {
    const first = await startInstance();
    const holder = await openProbe(db.pgUrl);
    let answer: Promise<Response> | undefined;
    try {
      await holder.query(`SELECT pg_advisory_lock(${HOLD_LOCK})`);
      answer = fetch(`${first}/tp?marker=held_1`, { method: 'POST' });
      // MariaDB prepared, PostgreSQL's PREPARE waiting: the transaction is in doubt, undecided.
      await poll(async () => (await leftPrepared(db.maria, db.prefix)).length === 1);
      await poll(
        async () => (await pg.count('pg_stat_activity', "wait_event_type = 'Lock' AND wait_event = 'advisory'")) === 1,
      );
      await startInstance();
      // Several recovery passes of both instances, the first one's lease renewed meanwhile.
      await sleep(LEASE_MS + 2 * INTERVAL_MS);
      expect(await leftPrepared(db.maria, db.prefix)).toHaveLength(1);
      // `db recover` run meanwhile lists it and leaves it to its instance.
      const recovered = await recoverWithCli();
      expect(recovered.code).toBe(0);
      expect(recovered.out).toMatch(/\[maria\] \S+: left to instance [0-9a-f]{8} \(alive/);
      expect(await leftPrepared(db.maria, db.prefix)).toHaveLength(1);
    } finally {
      await holder.query(`SELECT pg_advisory_unlock(${HOLD_LOCK})`);
      await holder.close();
    }
    expect((await answer).status).toBe(201);
    expect(await db.rowsOf('held_1')).toEqual([1, 1]);
    expect(await db.prepared()).toEqual([0, 0]);
  }, 60_000);

  it('an instance finishes a prepared transaction of its own that none of its commits is deciding (a PREPARE whose answer was lost)', async () => {
    const liveIds = async (): Promise<Set<string>> =>
      new Set(
        (
          await pg.query<{ instance_id: string }>(
            'SELECT instance_id FROM aa_twophase_instances WHERE expires_at > now()',
          )
        ).map((row) => row.instance_id),
      );
    // The lease table exists once a first instance started (none has when this test runs alone).
    const before = await liveIds().catch(() => new Set<string>());
    await startInstance();
    const [own] = [...(await liveIds())].filter((id) => !before.has(id));
    // What a commit of this instance leaves when its PREPARE was done but the answer was lost, and the
    // rollback sent from another connection found nothing yet (MariaDB detaches it a moment later).
    const orphan = `${db.prefix}-${own}-0123456789ab`;
    const leftover = await openProbe(db.pgUrl);
    try {
      await leftover.query('BEGIN');
      await leftover.query(`INSERT INTO tp_rows (marker) VALUES ('orphan_1')`);
      await leftover.query(`PREPARE TRANSACTION '${orphan}'`);
    } finally {
      await leftover.close();
    }
    await poll(async () => !(await leftPrepared(pg, db.prefix)).includes(orphan), LEASE_MS + 10 * INTERVAL_MS);
    expect(await db.rowsOf('orphan_1')).toEqual([0, 0]);
  });

  /** A third instance in a process of its own that SIGKILLs itself at `faultAt` while answering a two-bind write. */
  async function killedDuring(marker: string, faultAt: string): Promise<number> {
    const child = await startChildApp(db.pgUrl, {
      script: join(__dirname, 'fixtures', 'two-phase-child.ts'),
      env: {
        MARIA_URL: db.mariaUrl,
        TWOPHASE_PREFIX: db.prefix,
        TWOPHASE_LEASE_MS: String(LEASE_MS),
        TWOPHASE_RECOVERY_MS: String(INTERVAL_MS),
        FAULT_AT: faultAt,
      },
    });
    children.push(child);
    await expect(fetch(`${child.url}/tp?marker=${marker}`, { method: 'POST' })).rejects.toThrow();
    expect((await child.ended).signal).toBe('SIGKILL');
    return Date.now();
  }

  /**
   * Waits for the survivors to finish the killed instance's transactions. The bound is the lease,
   * plus the interval, plus slack for a loaded machine (a pass, a heartbeat late by a few hundred ms).
   */
  const recoveredBySurvivors = (): Promise<void> =>
    poll(async () => (await db.prepared()).every((count) => count === 0), LEASE_MS + INTERVAL_MS + 3_000);

  it('the survivors roll back a SIGKILLed instance’s undecided transactions within lease + interval', async () => {
    expect(apps.length).toBeGreaterThanOrEqual(2);
    await killedDuring('killed_undecided', DECISION);
    expect(await db.prepared()).toEqual([1, 1]);
    await recoveredBySurvivors();
    expect(await db.rowsOf('killed_undecided')).toEqual([0, 0]);
  }, 60_000);

  it('the survivors commit a SIGKILLed instance’s decided transactions within lease + interval', async () => {
    await killedDuring('killed_decided', PHASE_TWO);
    expect(await db.prepared()).toEqual([1, 1]);
    expect(await db.rowsOf('killed_decided')).toEqual([0, 0]);
    await recoveredBySurvivors();
    expect(await db.rowsOf('killed_decided')).toEqual([1, 1]);
  }, 60_000);

  it('an instance shut down releases its lease; the live ones keep theirs', async () => {
    const live = async (): Promise<number> => pg.count('aa_twophase_instances', 'expires_at > now()');
    expect(await live()).toBe(apps.length);
    await (apps.pop() as INestApplication).close();
    expect(await live()).toBe(apps.length);
  });

  it.each([
    [{ twophaseLeaseMs: 100 }, /twophaseLeaseMs must be at least 300/],
    [{ twophaseRecoveryIntervalMs: 0 }, /twophaseRecoveryIntervalMs must not be less than 50/],
    [{ twophaseLeaseMs: 'soon' }, /twophaseLeaseMs must be an integer/],
  ])('refuses %j at startup, naming the setting', async (timing, message) => {
    const configs = twoPhaseConfigs(db.mariaUrl, db.pgUrl, db.prefix, undefined, timing as TwoPhaseTiming);
    await expect(startTwoPhaseApp(configs)).rejects.toThrow(message);
  });

  it('refuses a lease that differs between the two-phase bind keys', async () => {
    const [maria, postgres] = twoPhaseConfigs(db.mariaUrl, db.pgUrl, db.prefix, undefined, TIMING);
    postgres.sessionConfig = { ...postgres.sessionConfig, twophaseLeaseMs: 2 * LEASE_MS };
    await expect(startTwoPhaseApp([maria, postgres])).rejects.toThrow(
      /sessionConfig\.twophaseLeaseMs differs between the two-phase bind keys \(1000, 2000\): give them all the same value/,
    );
  });
});
