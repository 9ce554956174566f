import { freePort } from '../support/free-port';
import type { INestApplication } from '@nestjs/common';
import { startTcpProxy, throughProxy, type TcpProxy } from '../reliability/fixtures/tcp-proxy';
import { atDecision, poll } from './fixtures/barriers';
import { leftPrepared, startTwoPhaseApp, twoPhaseConfigs } from './fixtures/two-phase-app';
import { describeTwoPhase, openTwoPhaseDatabases, type TwoPhaseDatabases } from './fixtures/two-phase-databases';

// MariaDB unreachable in phase 2 (its connections cut by a TCP proxy, new ones refused): the commit
// is decided, so the answer is 503 "outcome unknown"; once MariaDB is reachable again the
// application's background retry commits it, without a restart.

describeTwoPhase('two-phase commit with a participant unreachable in phase 2', () => {
  let db: TwoPhaseDatabases;
  let proxy: TcpProxy | undefined;
  let pgProxy: TcpProxy | undefined;
  let app: INestApplication | undefined;
  let url: string;

  beforeAll(async () => {
    db = await openTwoPhaseDatabases(await freePort(), 'unreach');
    proxy = await startTcpProxy(Number(new URL(db.mariaUrl).port || 3306));
    pgProxy = await startTcpProxy(Number(new URL(db.pgUrl).port));
    app = await startTwoPhaseApp(
      twoPhaseConfigs(throughProxy(db.mariaUrl, proxy), throughProxy(db.pgUrl, pgProxy), db.prefix),
    );
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  }, 60_000);

  afterAll(async () => {
    await proxy?.restore();
    await pgProxy?.restore();
    await app?.close();
    await proxy?.close();
    await pgProxy?.close();
    await db?.close();
  }, 60_000);

  const rowsOf = (marker: string): Promise<[number, number]> => db.rowsOf(marker);
  const post = (marker: string) => () => fetch(`${url}/tp?marker=${marker}`, { method: 'POST' });

  async function expectFinishedAfterRestore(marker: string): Promise<void> {
    await (proxy as TcpProxy).restore();
    await poll(async () => (await rowsOf(marker))[0] === 1, 15_000);
    expect(await rowsOf(marker)).toEqual([1, 1]);
    await poll(async () => (await leftPrepared(db.maria, db.prefix)).length === 0, 5_000);
    expect(await leftPrepared(db.pg, db.prefix)).toEqual([]);
  }

  it('answers 503 when MariaDB is cut before its XA COMMIT, and commits it once MariaDB is back', async () => {
    const response = await atDecision(db.pgUrl, db.pg, post('cut_before'), () => (proxy as TcpProxy).cut());
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(await response.text()).toMatch(/may or may not have been stored/);
    // PostgreSQL is committed, MariaDB's transaction is prepared and decided: it only waits.
    expect(await rowsOf('cut_before')).toEqual([0, 1]);
    expect(await leftPrepared(db.maria, db.prefix)).toHaveLength(1);
    await expectFinishedAfterRestore('cut_before');
  }, 60_000);

  it('answers 503 when the connection is cut right after XA COMMIT was sent, and finishes it once MariaDB is back', async () => {
    const cut = (proxy as TcpProxy).cutAfterForwarding(/XA COMMIT/);
    const response = await post('answer_lost')();
    await cut;
    expect(response.status).toBe(503);
    await expectFinishedAfterRestore('answer_lost');
  }, 60_000);

  it('answers 503 when PostgreSQL is cut right after COMMIT PREPARED was sent, and finishes it once it is back', async () => {
    const cut = (pgProxy as TcpProxy).cutAfterForwarding(/COMMIT PREPARED/);
    const response = await post('pg_cut')();
    await cut;
    expect(response.status).toBe(503);
    await (pgProxy as TcpProxy).restore();
    await poll(async () => (await leftPrepared(db.pg, db.prefix)).length === 0, 15_000);
    expect(await rowsOf('pg_cut')).toEqual([1, 1]);
    expect(await leftPrepared(db.maria, db.prefix)).toEqual([]);
  }, 60_000);
});
