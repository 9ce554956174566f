import { freePort } from '../support/free-port';
import type { INestApplication } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DatabaseProbe } from 'nestjs-advanced-alchemy/testing';
import { createDeferredForeignKey } from '../commit/fixtures/deferred-foreign-key';
import { ROWS, leftPrepared, startTwoPhaseApp, twoPhaseConfigs } from './fixtures/two-phase-app';
import { describeTwoPhase, openTwoPhaseDatabases, type TwoPhaseDatabases } from './fixtures/two-phase-databases';

// Concurrent two-bind requests while connections of both databases are killed at random and some
// requests fail PREPARE on purpose: every 2xx has both rows, every other answer but 503 has neither,
// and every 503 (outcome unknown) ends the same on both sides once the in-doubt ones are finished.

const REQUESTS = Number(process.env.TWOPHASE_LOAD_REQUESTS ?? 500);

describeTwoPhase(`two-phase commit under load with random faults (${REQUESTS} requests)`, () => {
  let db: TwoPhaseDatabases;
  let prefix: string;
  let maria: DatabaseProbe;
  let pg: DatabaseProbe;
  let app: INestApplication | undefined;

  beforeAll(async () => {
    db = await openTwoPhaseDatabases(await freePort(), 'load', 50);
    ({ prefix, maria, pg } = db);
    await createDeferredForeignKey(pg);
    app = await startTwoPhaseApp(twoPhaseConfigs(db.mariaUrl, db.pgUrl, prefix));
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await db?.close();
  }, 60_000);

  it('keeps both databases in agreement for every answer', async () => {
    const url = (await (app as INestApplication).getUrl()).replace('[::1]', '127.0.0.1');
    let running = true;
    let kills = 0;
    const killer = (async () => {
      while (running) {
        await sleep(10 + Math.random() * 40);
        if (Math.random() < 0.5) {
          const [row] = await pg.query<{ pid: number }>(
            "SELECT pid FROM pg_stat_activity WHERE datname = 'twophase' AND pid <> pg_backend_pid() ORDER BY random() LIMIT 1",
          );
          if (row) await pg.query('SELECT pg_terminate_backend(?)', [row.pid]);
          if (row) kills++;
        } else {
          const [row] = await maria.query<{ id: number }>(
            'SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND ID <> CONNECTION_ID() ' +
              'ORDER BY RAND() LIMIT 1',
          );
          if (row) await maria.query(`KILL CONNECTION ${Number(row.id)}`).catch(() => undefined);
          if (row) kills++;
        }
      }
    })();
    const answers = await Promise.all(
      Array.from({ length: REQUESTS }, async (_, index) => {
        const marker = `load_${index}`;
        const orphan = Math.random() < 0.1 ? '&orphan=1' : '';
        try {
          const response = await fetch(`${url}/tp?marker=${marker}${orphan}`, { method: 'POST' });
          return { marker, status: response.status };
        } catch {
          return { marker, status: 0 };
        }
      }),
    );
    running = false;
    await killer;
    // The 503s: the app finishes them in the background; give it a moment, as a client retrying would.
    for (let waited = 0; waited < 20_000; waited += 100) {
      if ((await leftPrepared(maria, prefix)).length + (await leftPrepared(pg, prefix)).length === 0) break;
      await sleep(100);
    }
    expect(await leftPrepared(maria, prefix)).toEqual([]);
    expect(await leftPrepared(pg, prefix)).toEqual([]);
    const onMaria = new Set((await maria.query<{ marker: string }>(`SELECT marker FROM ${ROWS}`)).map((r) => r.marker));
    const onPg = new Set((await pg.query<{ marker: string }>(`SELECT marker FROM ${ROWS}`)).map((r) => r.marker));
    const wrong: string[] = [];
    const tally: Record<string, number> = {};
    for (const { marker, status } of answers) {
      tally[status] = (tally[status] ?? 0) + 1;
      const stored: [boolean, boolean] = [onMaria.has(marker), onPg.has(marker)];
      const ok =
        status >= 200 && status < 300
          ? stored[0] && stored[1]
          : status === 503 || status === 0
            ? stored[0] === stored[1]
            : !stored[0] && !stored[1];
      if (!ok) wrong.push(`${marker}: ${status} with maria=${stored[0]} pg=${stored[1]}`);
    }
    process.stdout.write(`two-phase load: ${JSON.stringify(tally)}, ${kills} connections killed\n`);
    expect(wrong).toEqual([]);
    expect(kills).toBeGreaterThan(0);
    expect(tally[201] ?? 0).toBeGreaterThan(0);
  }, 180_000);
});
