import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AdvancedAlchemy } from '../core/advanced-alchemy';
import { AdvancedAlchemyModule } from '../core/advanced-alchemy.module';
import type { Bind } from './bind';
import { SessionScope } from './session-scope';

// The end of a scope (SessionScope.end) on real SQLite databases, one per bind key, read back through
// connections of their own: what it commits is there, what it rolls back is not, and a failed commit
// rolls back the sessions after it.

let directory: string;
let context: INestApplicationContext;
const binds: Bind[] = [];

// The binds as the module prepares them (SQLite's single connection shared by turns): two bind keys.
async function openBinds(): Promise<void> {
  const keys = ['orders', 'audit'];
  @Module({
    imports: [
      AdvancedAlchemyModule.forRoot(
        keys.map((bindKey) => ({ bindKey, connectionString: `sqlite:///${join(directory, `${bindKey}.db`)}` })),
      ),
    ],
  })
  class ScopeSpecModule {}
  context = await NestFactory.createApplicationContext(ScopeSpecModule, { logger: false, abortOnError: false });
  const alchemy = context.get(AdvancedAlchemy);
  for (const key of keys) {
    const bind = alchemy.bindFor(key);
    await bind.dataSource.query('CREATE TABLE parents (id INTEGER PRIMARY KEY)');
    await bind.dataSource.query(
      'CREATE TABLE rows (marker TEXT NOT NULL, parent_id INTEGER REFERENCES parents (id) DEFERRABLE INITIALLY DEFERRED)',
    );
    binds.push(bind);
  }
}

/** Rows of `marker` in a bind key's database, read through a connection outside the DataSource. */
function stored(bind: Bind, marker: string): number {
  const reader = new Database(join(directory, `${bind.key}.db`), { readonly: true });
  try {
    return (reader.prepare('SELECT COUNT(*) AS n FROM rows WHERE marker = ?').get(marker) as { n: number }).n;
  } finally {
    reader.close();
  }
}

let markers = 0;
const nextMarker = () => `m${++markers}`;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'alchemy-scope-'));
  await openBinds();
});
afterAll(async () => {
  await context?.close();
  rmSync(directory, { recursive: true, force: true });
});

describe('SessionScope.end', () => {
  it('commits the sessions it is told to and rolls back the others, closing all of them', async () => {
    const [orders, audit] = binds;
    const scope = new SessionScope();
    const marker = nextMarker();
    await scope.sessionFor(orders).query('INSERT INTO rows (marker) VALUES (?)', [marker]);
    await scope.sessionFor(audit).query('INSERT INTO rows (marker) VALUES (?)', [marker]);

    const ending = await scope.end((bind) => bind.key === 'orders');

    expect(ending.commitError).toBeUndefined();
    expect(ending.closeErrors).toEqual([]);
    expect([stored(orders, marker), stored(audit, marker)]).toEqual([1, 0]);
    expect(scope.sessions.every((session) => session === undefined || !session.holdsConnection)).toBe(true);
    expect(scope.isEnded).toBe(true);
  });

  it('after a failed commit rolls back the sessions after it, and reports which bind key failed', async () => {
    const [orders, audit] = binds;
    const scope = new SessionScope();
    const marker = nextMarker();
    // A deferred foreign key to a parent that does not exist: the INSERT succeeds, the COMMIT fails.
    await scope.sessionFor(orders).query('INSERT INTO rows (marker, parent_id) VALUES (?, 404)', [marker]);
    await scope.sessionFor(audit).query('INSERT INTO rows (marker) VALUES (?)', [marker]);

    const ending = await scope.end(() => true);

    expect(ending.commitBindKey).toBe('orders');
    expect(String(ending.commitError)).toMatch(/FOREIGN KEY/i);
    expect([stored(orders, marker), stored(audit, marker)]).toEqual([0, 0]);
    // Both connections were given back: the next scope can write to both.
    const next = new SessionScope();
    const after = nextMarker();
    await next.sessionFor(orders).query('INSERT INTO rows (marker) VALUES (?)', [after]);
    await next.sessionFor(audit).query('INSERT INTO rows (marker) VALUES (?)', [after]);
    expect((await next.end(() => true)).commitError).toBeUndefined();
    expect([stored(orders, after), stored(audit, after)]).toEqual([1, 1]);
  });

  it('closes a session asked for after the end at once, without keeping it in the scope', async () => {
    const [orders] = binds;
    const scope = new SessionScope();
    await scope.end(() => true);
    const late = scope.sessionFor(orders);
    expect(scope.sessions[orders.index]).toBeUndefined();
    expect(() => late.query('SELECT 1')).toThrow(/is closed: its request has ended/);
  });

  it('a child scope ends only its own session and leaves the parent its others', async () => {
    const [orders, audit] = binds;
    const parent = new SessionScope();
    const marker = nextMarker();
    await parent.sessionFor(audit).query('INSERT INTO rows (marker) VALUES (?)', [marker]);
    const ownSession = new SessionScope().sessionFor(orders);
    const child = parent.child(ownSession);
    expect(child.sessionFor(orders)).toBe(ownSession);
    expect(child.sessionFor(audit)).toBe(parent.sessionFor(audit));
    await child.sessionFor(orders).query('INSERT INTO rows (marker) VALUES (?)', [marker]);

    await child.end(() => true);
    expect([stored(orders, marker), stored(audit, marker)]).toEqual([1, 0]);
    await parent.end(() => false);
    expect(stored(audit, marker)).toBe(0);
  });
});
