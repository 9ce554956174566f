import { randomUUID } from 'node:crypto';
import { BadRequestException, Controller, Get, Injectable, Param, Post } from '@nestjs/common';
import request from 'supertest';
import { InjectSession, type Session, type SessionConfig } from 'nestjs-advanced-alchemy';
import { startTestApp, testDatabaseKinds, type TestApp, type TestDatabaseKind } from 'nestjs-advanced-alchemy/testing';
import { Item, ITEMS } from '../support/items';

// sessionConfig.beginOnFirstWrite: plain reads before a scope's first write run outside a
// transaction. Whether a transaction is open is asked of the database itself, on the session's
// own connection, never of the module.

/** The database's own answer to "is this connection in a transaction right now?". */
async function databaseSaysInTransaction(session: Session): Promise<boolean> {
  const type = session.dataSource.options.type;
  if (type === 'postgres') {
    // Outside a transaction every statement is its own, so it starts when the statement does.
    const rows = await session.query<Array<{ own: boolean }>>('SELECT now() = statement_timestamp() AS own');
    return !rows[0].own;
  }
  if (type === 'better-sqlite3') {
    await session.query('SELECT 1');
    return (session.dataSource.driver as unknown as { databaseConnection: { inTransaction: boolean } })
      .databaseConnection.inTransaction;
  }
  const rows = await session.query<Array<{ inside: number | string }>>('SELECT @@in_transaction AS inside');
  return Number(rows[0].inside) === 1;
}

@Injectable()
class Probes {
  constructor(@InjectSession() readonly session: Session) {}
}

@Controller('probe')
class ProbeController {
  constructor(private readonly probes: Probes) {}

  @Get('read') async read() {
    const session = this.probes.session;
    await session.getRepository(Item).count();
    return { inTransaction: await databaseSaysInTransaction(session), sessionSays: session.inTransaction };
  }

  @Get('locking-read') async lockingRead() {
    const session = this.probes.session;
    await session.getRepository(Item).createQueryBuilder('item').setLock('pessimistic_write').getMany();
    return { inTransaction: await databaseSaysInTransaction(session) };
  }

  @Post('read-then-write/:label') async readThenWrite(@Param('label') label: string) {
    const session = this.probes.session;
    const before = await databaseSaysInTransaction(session);
    await session.getRepository(Item).save({ label });
    const seesOwnWrite = (await session.getRepository(Item).countBy({ label })) === 1;
    return { before, after: await databaseSaysInTransaction(session), seesOwnWrite };
  }

  @Post('read-then-write/:label/reject') async readThenWriteThenReject(@Param('label') label: string) {
    await this.probes.session.getRepository(Item).count();
    await this.probes.session.getRepository(Item).save({ label });
    throw new BadRequestException('written after a read, then rejected');
  }
}

/** Where the default (no beginOnFirstWrite given) runs plain reads outside a transaction: READ COMMITTED by default. */
const readsOutsideByDefault: Record<TestDatabaseKind, boolean> = { postgres: true, mariadb: false, sqlite: false };

describe.each(testDatabaseKinds())('beginOnFirstWrite on %s', (kind) => {
  const apps: TestApp[] = [];
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
  });

  /** A new application (and database) with `sessionConfig`; its client. */
  async function serverWith(sessionConfig: SessionConfig) {
    const app = await startTestApp({
      kind,
      label: 'begin_first_write',
      entities: [Item],
      config: { sessionConfig },
      controllers: [ProbeController],
      providers: [Probes],
    });
    apps.push(app);
    return request(app.url);
  }
  /** Rows of the application a test started last. */
  const rows = (label: string) => apps[apps.length - 1].probe.count(ITEMS, 'label = ?', [label]);

  it(`by default ${readsOutsideByDefault[kind] ? 'runs' : 'does not run'} a read-only request outside a transaction`, async () => {
    const server = await serverWith({});
    const expected = !readsOutsideByDefault[kind];
    await server.get('/probe/read').expect(200, { inTransaction: expected, sessionSays: expected });
  });

  it('with true, reads before the first write run outside a transaction; the write begins one and commits', async () => {
    const server = await serverWith({ beginOnFirstWrite: true });
    await server.get('/probe/read').expect(200, { inTransaction: false, sessionSays: false });
    const label = `rw-${randomUUID()}`;
    const response = await server.post(`/probe/read-then-write/${label}`).expect(201);
    expect(response.body).toEqual({ before: false, after: true, seesOwnWrite: true });
    expect(await rows(label)).toBe(1);
  });

  it('with true, a write after a read is still rolled back with its 4xx', async () => {
    const server = await serverWith({ beginOnFirstWrite: true });
    const label = `rejected-${randomUUID()}`;
    await server.post(`/probe/read-then-write/${label}/reject`).expect(400);
    expect(await rows(label)).toBe(0);
  });

  if (kind !== 'sqlite') {
    // SQLite has no row locks: TypeORM sends no FOR UPDATE there.
    it('with true, a locking read (FOR UPDATE) begins the transaction', async () => {
      const server = await serverWith({ beginOnFirstWrite: true });
      await server.get('/probe/locking-read').expect(200, { inTransaction: true });
    });
  }

  it('with false, every read runs in the transaction', async () => {
    const server = await serverWith({ beginOnFirstWrite: false });
    await server.get('/probe/read').expect(200, { inTransaction: true, sessionSays: true });
  });

  if (kind !== 'sqlite') {
    it('follows a configured READ COMMITTED isolation level when not set', async () => {
      const server = await serverWith({ isolationLevel: 'READ COMMITTED' });
      await server.get('/probe/read').expect(200, { inTransaction: false, sessionSays: false });
    });

    it('follows a configured REPEATABLE READ isolation level when not set', async () => {
      const server = await serverWith({ isolationLevel: 'REPEATABLE READ' });
      await server.get('/probe/read').expect(200, { inTransaction: true, sessionSays: true });
    });
  }
});
