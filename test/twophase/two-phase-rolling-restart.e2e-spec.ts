import { freePort } from '../support/free-port';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startChildApp, type ChildApp } from '../reliability/fixtures/child-process';
import { startRoundRobinProxy, type RoundRobinProxy } from '../support/round-robin-proxy';
import { poll } from './fixtures/barriers';
import { ROWS } from './fixtures/two-phase-app';
import { describeTwoPhase, openTwoPhaseDatabases, type TwoPhaseDatabases } from './fixtures/two-phase-databases';

// Three instances of the two-phase application (processes of their own) behind a round-robin
// proxy, under a steady load of two-bind writes, each restarted in turn as a rolling deploy does it
// (out of rotation, SIGTERM, start, back in rotation). Each start runs recovery while the other two
// have transactions prepared and not yet decided: none of them may be touched. Every request must
// be answered 201, and the rows on both databases must be exactly those of the 201s.

const INSTANCES = 3;
const CONCURRENCY = 16;
/** Long enough that a loaded machine never lets a live instance's lease lapse; short for the suite. */
const LEASE_MS = 3_000;
const INTERVAL_MS = 500;

describeTwoPhase('two-phase commit through a rolling restart of three instances', () => {
  let db: TwoPhaseDatabases;
  let proxy: RoundRobinProxy;
  const instances: ChildApp[] = [];

  const startInstance = async (): Promise<ChildApp> =>
    startChildApp(db.pgUrl, {
      script: join(__dirname, 'fixtures', 'two-phase-child.ts'),
      env: {
        MARIA_URL: db.mariaUrl,
        TWOPHASE_PREFIX: db.prefix,
        TWOPHASE_LEASE_MS: String(LEASE_MS),
        TWOPHASE_RECOVERY_MS: String(INTERVAL_MS),
        SHUTDOWN_HOOKS: '1',
      },
    });

  beforeAll(async () => {
    db = await openTwoPhaseDatabases(await freePort(), 'rolling', 60);
    proxy = await startRoundRobinProxy();
    instances.push(...(await Promise.all(Array.from({ length: INSTANCES }, startInstance))));
    instances.forEach((instance, slot) => proxy.setBackend(slot, instance.url));
  }, 90_000);

  afterAll(async () => {
    for (const instance of instances) if (instance?.isAlive()) instance.kill();
    await proxy?.close();
    await db?.close();
  }, 60_000);

  it('answers every request 201 and stores exactly the acknowledged rows', async () => {
    const statuses = new Map<string, number>();
    let running = true;
    let sent = 0;
    const client = async (): Promise<void> => {
      while (running) {
        const marker = `rr_${sent++}`;
        try {
          const answer = await fetch(`${proxy.url}/tp?marker=${marker}`, { method: 'POST' });
          await answer.arrayBuffer();
          statuses.set(marker, answer.status);
        } catch {
          statuses.set(marker, 0);
        }
      }
    };
    const clients = Array.from({ length: CONCURRENCY }, client);
    const served = [...instances.map((instance) => instance.url)];
    for (let slot = 0; slot < INSTANCES; slot++) {
      await sleep(500);
      proxy.removeBackend(slot);
      await instances[slot].sigterm();
      await instances[slot].ended;
      instances[slot] = await startInstance();
      proxy.setBackend(slot, instances[slot].url);
      served.push(instances[slot].url);
    }
    await sleep(500);
    running = false;
    await Promise.all(clients);
    if (process.env.ROLLING_REPORT) process.stderr.write(`rolling restart: ${statuses.size} requests\n`);

    const byStatus = new Map<number, number>();
    for (const status of statuses.values()) byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    expect(Object.fromEntries(byStatus)).toEqual({ 201: statuses.size });
    // Every instance, the restarted ones too, answered while the others were restarting.
    for (const url of served) expect(proxy.answered.get(url) ?? 0).toBeGreaterThan(0);
    // Every prepared transaction finished (the stopped instances released their leases).
    await poll(async () => (await db.prepared()).every((count) => count === 0), LEASE_MS + INTERVAL_MS + 3_000);
    const acknowledged = [...statuses.keys()].sort();
    for (const probe of [db.maria, db.pg]) {
      const rows = await probe.query<{ marker: string }>(`SELECT marker FROM ${ROWS}`);
      expect(rows.map((row) => row.marker).sort()).toEqual(acknowledged);
    }
  }, 120_000);
});
