import { SHELF_ENTITIES, SHELF_SERVICES, VolumeService, type Volume } from './fixtures/shelf.entities';
import { startServiceHarness, type ServiceHarness } from './fixtures/service-harness';
import { eachKind } from '../support/each-kind';
import { InvalidFilterError, OrderBy, TransactionConflictError } from 'nestjs-advanced-alchemy';
import { testDatabaseKinds, type DatabaseProbe } from 'nestjs-advanced-alchemy/testing';

/** Transactions of this database now waiting for a lock, as the server itself reports them. */
async function lockWaiters(probe: DatabaseProbe): Promise<number> {
  const sql =
    probe.kind === 'postgres'
      ? "SELECT COUNT(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
      : // This suite's table only: other databases on the server have transactions of their own.
        "SELECT COUNT(*) AS n FROM information_schema.innodb_trx WHERE trx_state = 'LOCK WAIT' AND trx_query LIKE '%shf_volumes%'";
  const [row] = await probe.query<{ n: number | string }>(sql);
  return Number(row.n);
}

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 120; attempt++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 250)); // not faster: each look at InnoDB's transactions takes its locks too
  }
  throw new Error(`Gave up waiting for ${what}.`);
}

/** A promise and the function that settles it: how one session holds its lock until the test lets go. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

const serverKinds = testDatabaseKinds().filter((kind) => kind !== 'sqlite');

eachKind(serverKinds)('repository service: row locks on %s', (kind) => {
  let harness: ServiceHarness;
  let volumes: VolumeService;
  let rows: Volume[];

  beforeAll(async () => {
    harness = await startServiceHarness(kind, 'svc_locks', { entities: SHELF_ENTITIES, providers: SHELF_SERVICES });
    volumes = harness.app.get(VolumeService);
    rows = await harness.inSession(() => volumes.createMany([{ title: 'L1' }, { title: 'L2' }, { title: 'L3' }]));
  });
  afterAll(() => harness?.close());

  /** Session A locks L1 and holds it until `release`; resolves once the lock is held. */
  async function holdLock(): Promise<{ release: () => Promise<void> }> {
    const held = gate();
    const release = gate();
    const done = harness.inSession(async () => {
      // By primary key: InnoDB locks every row a search scans, so a lock by title would hold all three.
      await volumes.get(rows[0].id, { lock: 'update' });
      await volumes.update(rows[0].id, { pages: 111 });
      held.open();
      await release.opened;
    });
    await Promise.race([held.opened, done]);
    return {
      release: async () => {
        release.open();
        await done;
      },
    };
  }

  it('lock: "update" makes a second session wait until the first commits, then read its change', async () => {
    const a = await holdLock();
    const events: string[] = [];
    const b = harness.inSession(async () => {
      const row = await volumes.getOne({ title: 'L1' }, { lock: 'update' });
      events.push(`B read pages=${row.pages}`);
    });
    try {
      await until(async () => (await lockWaiters(harness.probe)) === 1, 'the second session to wait for the lock');
      events.push('A commits');
    } finally {
      await a.release();
      await b;
    }
    expect(events).toEqual(['A commits', 'B read pages=111']);
  });

  it('noWait fails against a held lock without waiting for it (TransactionConflictError)', async () => {
    const a = await holdLock();
    try {
      const refused = harness.inSession(() => volumes.get(rows[0].id, { lock: 'update', noWait: true }));
      // Refused while A still holds the lock (A lets go only below): it did not wait for it.
      await expect(refused).rejects.toBeInstanceOf(TransactionConflictError);
    } finally {
      await a.release();
    }
  });

  it('skipLocked leaves out the locked row and returns the others', async () => {
    const a = await holdLock();
    try {
      const listed = await harness.inSession(() =>
        volumes.list(new OrderBy('title'), { lock: 'update', skipLocked: true }),
      );
      expect(listed.map((volume) => volume.title)).toEqual(['L2', 'L3']);
    } finally {
      await a.release();
    }
  });

  it('a share lock lets another share lock through and makes an update lock wait', async () => {
    const shared = gate();
    const release = gate();
    const a = harness.inSession(async () => {
      await volumes.get(rows[1].id, { lock: 'share' });
      shared.open();
      await release.opened;
    });
    await shared.opened;
    const other = await harness.inSession(() =>
      volumes.get(rows[1].id, { lock: 'share', noWait: kind === 'postgres' }),
    );
    expect(other.title).toBe('L2');
    const writer = harness.inSession(() => volumes.get(rows[1].id, { lock: 'update' }));
    try {
      await until(
        async () => (await lockWaiters(harness.probe)) === 1,
        'the update lock to wait behind the share lock',
      );
    } finally {
      release.open();
      await a;
    }
    expect((await writer).title).toBe('L2');
  });

  it('refuses options that cannot be honoured, before any SQL', async () => {
    await harness.inSession(async () => {
      await expect(volumes.get(rows[0].id, { noWait: true })).rejects.toBeInstanceOf(InvalidFilterError);
      await expect(volumes.get(rows[0].id, { lock: 'update', noWait: true, skipLocked: true })).rejects.toThrow(
        /exclude each other/,
      );
      if (kind === 'mariadb') {
        await expect(volumes.get(rows[0].id, { lock: 'share', skipLocked: true })).rejects.toThrow(
          /use lock: "update"/,
        );
      }
    });
  });
});

describe('repository service: row locks on sqlite', () => {
  let harness: ServiceHarness;
  let volumes: VolumeService;

  beforeAll(async () => {
    harness = await startServiceHarness('sqlite', 'svc_locks', { entities: SHELF_ENTITIES, providers: SHELF_SERVICES });
    volumes = harness.app.get(VolumeService);
  });
  afterAll(() => harness?.close());

  it('takes no row lock (a session holds the whole database), and a second session waits for the first', async () => {
    const [row] = await harness.inSession(() => volumes.createMany([{ title: 'S1' }]));
    const held = gate();
    const release = gate();
    const events: string[] = [];
    const a = harness.inSession(async () => {
      await volumes.get(row.id, { lock: 'update', noWait: true });
      await volumes.update(row.id, { pages: 7 });
      held.open();
      await release.opened;
      events.push('A commits');
    });
    await held.opened;
    const b = harness.inSession(async () => {
      events.push(`B read pages=${(await volumes.get(row.id, { lock: 'update', skipLocked: true })).pages}`);
    });
    await new Promise((resolve) => setTimeout(resolve, 100)); // B's turn to run, were it not kept waiting
    release.open();
    await Promise.all([a, b]);
    expect(events).toEqual(['A commits', 'B read pages=7']);
  });
});
