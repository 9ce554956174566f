import type { Bind } from '../session/bind';
import { TenantBindPool } from './tenant-bind-pool';

/** A stand-in for a tenant's bind: the pool reads only `openSessions`. */
function fakeBind(): Bind {
  return { openSessions: 0 } as unknown as Bind;
}

function poolOf(maxOpen: number, opened: string[], closed: string[], known = (tenant: string) => tenant !== 'ghost') {
  const names = new Map<Bind, string>();
  return new TenantBindPool(
    { maxOpen, idleTimeoutMs: 0 },
    async (tenant) => (known(tenant) ? `db://${tenant}` : undefined),
    async (tenant) => {
      opened.push(tenant);
      await new Promise((resolve) => setTimeout(resolve, 1));
      const bind = fakeBind();
      names.set(bind, tenant);
      return bind;
    },
    async (bind) => {
      closed.push(names.get(bind) as string);
    },
  );
}

describe('TenantBindPool', () => {
  it('opens one bind for 100 simultaneous leases of a new tenant', async () => {
    const opened: string[] = [];
    const pool = poolOf(20, opened, []);
    const leases = await Promise.all(Array.from({ length: 100 }, () => pool.lease('acme')));
    expect(opened).toEqual(['acme']);
    expect(new Set(leases.map((lease) => lease?.bind)).size).toBe(1);
  });

  it('never has more than maxOpen open over 200 tenants, closing the least recently used idle one', async () => {
    const opened: string[] = [];
    const closed: string[] = [];
    const pool = poolOf(20, opened, closed);
    let highest = 0;
    const tenants = Array.from({ length: 200 }, (_, index) => `t${index}`);
    await Promise.all(
      tenants.map(async (tenant) => {
        const lease = await pool.lease(tenant);
        highest = Math.max(highest, opened.length - closed.length);
        await new Promise((resolve) => setTimeout(resolve, 2));
        lease?.release();
      }),
    );
    expect(opened).toHaveLength(200);
    expect(highest).toBeLessThanOrEqual(20);
    expect(pool.openTenants).toHaveLength(20);
  });

  it('closes the least recently used tenant first', async () => {
    const closed: string[] = [];
    const pool = poolOf(2, [], closed);
    (await pool.lease('a'))?.release();
    (await pool.lease('b'))?.release();
    (await pool.lease('a'))?.release();
    (await pool.lease('c'))?.release();
    expect(closed).toEqual(['b']);
    expect(pool.openTenants).toEqual(['a', 'c']);
  });

  it('keeps a held tenant open: a new one waits until a lease is given back', async () => {
    const closed: string[] = [];
    const pool = poolOf(1, [], closed);
    const held = await pool.lease('a');
    let second: unknown;
    const waiting = pool.lease('b').then((lease) => (second = lease));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(second).toBeUndefined();
    expect(closed).toEqual([]);
    held?.release();
    await waiting;
    expect(closed).toEqual(['a']);
  });

  it('answers undefined for a tenant the lookup does not know, opening nothing', async () => {
    const opened: string[] = [];
    const pool = poolOf(2, opened, []);
    expect(await pool.lease('ghost')).toBeUndefined();
    expect(opened).toEqual([]);
  });
});
