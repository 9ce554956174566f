import { freePort } from '../support/free-port';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { runDatabaseCli } from 'nestjs-advanced-alchemy';
import { openProbe, type DatabaseProbe } from 'nestjs-advanced-alchemy/testing';
import { startChildApp, type ChildApp } from '../reliability/fixtures/child-process';
import { ROWS, twoPhaseConfigs, twoPhaseModule } from './fixtures/two-phase-app';
import { describeTwoPhase, openTwoPhaseDatabases, type TwoPhaseDatabases } from './fixtures/two-phase-databases';
import { poll } from './fixtures/barriers';

// The application process SIGKILLed at exact points of the protocol (the test-only FAULT_AT of
// fixtures/two-phase-child.ts), then started again or `db recover` run: both databases agree. The
// killed instance's lease is short (LEASE_MS): its transactions are recovered once it expired.

/** The commit decision (recovery's own `abort` rows do not match). */
const DECISION = "^INSERT INTO aa_twophase_decisions \\(xid, outcome\\) VALUES .*'commit'";
/** The first statement of phase 2 (MariaDB is declared first). */
const PHASE_TWO = '^XA COMMIT';
const LEASE_MS = 1_000;

describeTwoPhase('two-phase commit when the application process dies', () => {
  let db: TwoPhaseDatabases;
  let prefix: string;
  let pgUrl: string;
  let mariaUrl: string;
  let pg: DatabaseProbe;
  const children: ChildApp[] = [];

  beforeAll(async () => {
    db = await openTwoPhaseDatabases(await freePort(), 'crash');
    ({ prefix, pgUrl, mariaUrl, pg } = db);
  }, 60_000);

  afterEach(async () => {
    for (const child of children.splice(0)) if (child.isAlive()) child.kill();
  });

  afterAll(() => db?.close(), 60_000);

  const start = async (faultAt?: string): Promise<ChildApp> => {
    const child = await startChildApp(pgUrl, {
      script: join(__dirname, 'fixtures', 'two-phase-child.ts'),
      env: {
        MARIA_URL: mariaUrl,
        TWOPHASE_PREFIX: prefix,
        TWOPHASE_LEASE_MS: String(LEASE_MS),
        TWOPHASE_RECOVERY_MS: '200',
        ...(faultAt ? { FAULT_AT: faultAt } : {}),
      },
    });
    children.push(child);
    return child;
  };
  const rowsOf = (marker: string): Promise<[number, number]> => db.rowsOf(marker);
  const prepared = (): Promise<[number, number]> => db.prepared();

  /** Posts a two-bind write to an app that dies on it: the request fails, the process ends by SIGKILL. */
  async function killedDuring(marker: string, faultAt: string): Promise<void> {
    const child = await start(faultAt);
    await expect(fetch(`${child.url}/tp?marker=${marker}`, { method: 'POST' })).rejects.toThrow();
    expect((await child.ended).signal).toBe('SIGKILL');
  }

  /** Starts the application again and waits for its recovery (once the killed instance's lease expired). */
  async function restart(): Promise<void> {
    const child = await start();
    await poll(async () => (await prepared()).every((count) => count === 0), 15_000);
    await child.close();
  }

  /** Waits until no instance's lease is alive (the killed one's expired): `db recover` may then finish all. */
  const leasesExpired = (): Promise<void> =>
    poll(async () => (await pg.count('aa_twophase_instances', 'expires_at > now()')) === 0, 15_000);

  async function cli(...args: string[]): Promise<{ code: number; out: string }> {
    let out = '';
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += chunk.toString();
      return true;
    });
    try {
      const module = twoPhaseModule(twoPhaseConfigs(mariaUrl, pgUrl, prefix));
      const code = await runDatabaseCli(module, ['db', 'recover', ...args], { exit: false });
      return { code, out };
    } finally {
      write.mockRestore();
    }
  }

  it('rolls both back at the next start when killed before the decision (both prepared)', async () => {
    await killedDuring('before_decision', DECISION);
    expect(await prepared()).toEqual([1, 1]);
    await restart();
    expect(await rowsOf('before_decision')).toEqual([0, 0]);
    expect(await prepared()).toEqual([0, 0]);
  }, 60_000);

  it('commits both at the next start when killed between the decision and phase 2', async () => {
    await killedDuring('after_decision', PHASE_TWO);
    expect(await prepared()).toEqual([1, 1]);
    expect(await rowsOf('after_decision')).toEqual([0, 0]);
    await restart();
    expect(await rowsOf('after_decision')).toEqual([1, 1]);
    expect(await prepared()).toEqual([0, 0]);
  }, 60_000);

  /** A prepared transaction of this application with no decision, as a process dead in phase 1 leaves it. */
  async function orphanPrepared(marker: string): Promise<void> {
    const xid = `${prefix}-${randomBytes(8).toString('hex')}`;
    const own = await openProbe(mariaUrl);
    await own.query(`XA START '${xid}'`);
    await own.query(`INSERT INTO ${ROWS} (marker) VALUES (?)`, [marker]);
    await own.query(`XA END '${xid}'`);
    await own.query(`XA PREPARE '${xid}'`);
    await own.close();
    const pgOwn = await openProbe(pgUrl);
    await pgOwn.query('BEGIN');
    await pgOwn.query(`INSERT INTO ${ROWS} (marker) VALUES (?)`, [marker]);
    await pgOwn.query(`PREPARE TRANSACTION '${xid.replace(/.$/, 'e')}'`);
    await pgOwn.close();
  }

  it('db recover --dry-run lists what it would do and changes nothing; db recover does it', async () => {
    await killedDuring('cli_commit', PHASE_TWO);
    await orphanPrepared('cli_abort');
    expect(await prepared()).toEqual([2, 2]);
    await leasesExpired();
    const dry = await cli('--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.out.match(/would commit/g)).toHaveLength(2);
    expect(dry.out.match(/would roll back/g)).toHaveLength(2);
    expect(await prepared()).toEqual([2, 2]);
    const real = await cli();
    expect(real.code).toBe(0);
    expect(real.out.match(/commit: done/g)).toHaveLength(2);
    expect(real.out.match(/roll back: done/g)).toHaveLength(2);
    expect(await rowsOf('cli_commit')).toEqual([1, 1]);
    expect(await rowsOf('cli_abort')).toEqual([0, 0]);
    expect(await prepared()).toEqual([0, 0]);
    expect((await cli()).out).toMatch(/No in-doubt two-phase transactions/);
  }, 90_000);

  it('leaves prepared transactions of other applications alone', async () => {
    const pgOther = await openProbe(pgUrl);
    await pgOther.query('BEGIN');
    await pgOther.query(`INSERT INTO ${ROWS} (marker) VALUES (?)`, ['other_app']);
    await pgOther.query(`PREPARE TRANSACTION 'otherapp-0123456789abcdef'`);
    await pgOther.close();
    try {
      await restart();
      expect((await pg.query<{ gid: string }>('SELECT gid FROM pg_prepared_xacts')).map((row) => row.gid)).toContain(
        'otherapp-0123456789abcdef',
      );
    } finally {
      await pg.query(`ROLLBACK PREPARED 'otherapp-0123456789abcdef'`);
    }
  }, 60_000);
});
