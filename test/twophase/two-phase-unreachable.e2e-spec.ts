import type { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import {
  createTestDatabase,
  openProbe,
  testDatabaseKinds,
  type DatabaseProbe,
  type TestDatabase,
} from 'nestjs-advanced-alchemy/testing';
import { startTcpProxy, throughProxy, type TcpProxy } from '../reliability/fixtures/tcp-proxy';
import { atDecision, poll } from './fixtures/barriers';
import {
  ROWS,
  createRowsTable,
  leftPrepared,
  rollBackLeftovers,
  startTwoPhaseApp,
  twoPhaseConfigs,
} from './fixtures/two-phase-app';
import { startOwnPostgres, type OwnPostgres } from './fixtures/own-postgres';

// MariaDB unreachable in phase 2 (its connections cut by a TCP proxy, new ones refused): the commit
// is decided, so the answer is 503 "outcome unknown"; once MariaDB is reachable again the
// application's background retry commits it, without a restart.

const PORT = 5453;
const servers = testDatabaseKinds();
const describeServers = servers.includes('postgres') && servers.includes('mariadb') ? describe : describe.skip;

describeServers('two-phase commit with a participant unreachable in phase 2', () => {
  const prefix = `tu${randomBytes(3).toString('hex')}`;
  let postgres: OwnPostgres;
  let mariaDatabase: TestDatabase;
  let proxy: TcpProxy;
  let maria: DatabaseProbe;
  let pg: DatabaseProbe;
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    postgres = startOwnPostgres(PORT);
    const admin = await openProbe(postgres.url());
    await admin.query('CREATE DATABASE tu');
    await admin.close();
    mariaDatabase = await createTestDatabase('mariadb', 'twophase_unreachable');
    maria = await openProbe(mariaDatabase.connectionString);
    pg = await openProbe(postgres.url('tu'));
    await createRowsTable(maria);
    await createRowsTable(pg);
    const mariaPort = Number(new URL(mariaDatabase.connectionString).port || 3306);
    proxy = await startTcpProxy(mariaPort);
    const configs = twoPhaseConfigs(throughProxy(mariaDatabase.connectionString, proxy), postgres.url('tu'), prefix);
    app = await startTwoPhaseApp(configs);
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  }, 60_000);

  afterAll(async () => {
    try {
      await proxy?.restore();
      await app?.close();
      await proxy?.close();
      if (maria) await rollBackLeftovers(maria, prefix);
      if (pg) await rollBackLeftovers(pg, prefix);
      await maria?.close();
      await pg?.close();
      await mariaDatabase?.drop();
    } finally {
      postgres?.stop();
    }
  }, 60_000);

  const rowsOf = async (marker: string): Promise<[number, number]> => [
    await maria.count(ROWS, 'marker = ?', [marker]),
    await pg.count(ROWS, 'marker = ?', [marker]),
  ];
  const post = (marker: string) => () => fetch(`${url}/tp?marker=${marker}`, { method: 'POST' });

  async function expectFinishedAfterRestore(marker: string): Promise<void> {
    await proxy.restore();
    await poll(async () => (await rowsOf(marker))[0] === 1, 15_000);
    expect(await rowsOf(marker)).toEqual([1, 1]);
    await poll(async () => (await leftPrepared(maria, prefix)).length === 0, 5_000);
    expect(await leftPrepared(pg, prefix)).toEqual([]);
  }

  it('answers 503 when MariaDB is cut before its XA COMMIT, and commits it once MariaDB is back', async () => {
    const response = await atDecision(postgres.url('tu'), pg, post('cut_before'), () => proxy.cut());
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(await response.text()).toMatch(/may or may not have been stored/);
    // PostgreSQL is committed, MariaDB's transaction is prepared and decided: it only waits.
    expect(await rowsOf('cut_before')).toEqual([0, 1]);
    expect(await leftPrepared(maria, prefix)).toHaveLength(1);
    await expectFinishedAfterRestore('cut_before');
  }, 60_000);

  it('answers 503 when the answer to XA COMMIT is lost, and finds it done once MariaDB is back', async () => {
    const cut = proxy.cutAfterForwarding(/XA COMMIT/);
    const response = await post('answer_lost')();
    await cut;
    expect(response.status).toBe(503);
    await expectFinishedAfterRestore('answer_lost');
  }, 60_000);
});
