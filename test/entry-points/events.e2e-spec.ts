import type { INestApplication } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { AdvancedAlchemy, AfterCommitEvents, SessionScopeError } from 'nestjs-advanced-alchemy';
import {
  createTestDatabase,
  openProbe,
  testDatabaseKinds,
  type DatabaseProbe,
  type TestDatabase,
} from 'nestjs-advanced-alchemy/testing';
import { COMMIT_ROWS } from '../commit/fixtures/commit-row.entity';
import { newMarker } from '../commit/fixtures/markers';
import { RowEvent, RowListeners, RowService, startEventsApp } from './fixtures/events-app';
import { waitFor } from './fixtures/wait-for';

// @OnEvent listeners join the unit of work they are called in; called outside one (or after it
// ended) each call is a unit of its own. AfterCommitEvents delivers an event only once the
// transaction that raised it committed, never after a rollback.
describe.each(testDatabaseKinds())('events on %s', (kind) => {
  let database: TestDatabase;
  let probe: DatabaseProbe;
  let app: INestApplication;
  let alchemy: AdvancedAlchemy;
  let service: RowService;
  const rowsOf = (marker: string) => probe.count(COMMIT_ROWS, 'marker = ?', [marker]);
  const rowAppears = (marker: string) =>
    waitFor(`a row ${marker}`, async () => ((await rowsOf(marker)) === 1 ? true : undefined));

  beforeAll(async () => {
    database = await createTestDatabase(kind, 'entry_events');
    app = await startEventsApp(database.connectionString);
    alchemy = app.get(AdvancedAlchemy);
    service = app.get(RowService);
    probe = await openProbe(database.connectionString);
  });
  afterAll(async () => {
    await app?.close();
    await probe?.close();
    await database?.drop();
  });

  it('a listener called inside a unit of work joins it: committed with it', async () => {
    const marker = newMarker();
    await alchemy.withSession(() => service.writeAndEmit(marker, false));
    expect([await rowsOf(marker), await rowsOf(`${marker}:listener`)]).toEqual([1, 1]);
  });

  it('a listener called inside a unit of work joins it: rolled back with it', async () => {
    const marker = newMarker();
    await expect(alchemy.withSession(() => service.writeAndEmit(marker, true))).rejects.toThrow('failing after');
    expect([await rowsOf(marker), await rowsOf(`${marker}:listener`)]).toEqual([0, 0]);
  });

  it('a listener called outside any unit of work: a unit of its own, committed when it resolves', async () => {
    const marker = newMarker();
    await app.get(EventEmitter2).emitAsync('row.write', new RowEvent(marker));
    expect(await rowsOf(`${marker}:listener`)).toBe(1);
  });

  it('a listener called outside any unit of work: rolled back when it throws', async () => {
    const marker = newMarker();
    await app.get(EventEmitter2).emitAsync('row.write', new RowEvent(marker, true));
    expect(await rowsOf(`${marker}:listener`)).toBe(0);
  });

  it('an async listener emitted from an afterCommit hook (after the unit ended): a unit of its own', async () => {
    const marker = newMarker();
    await alchemy.withSession(() => service.writeThenEmitFromHook(marker));
    await rowAppears(`${marker}:later`);
    expect(await rowsOf(marker)).toBe(1);
  });

  it('AfterCommitEvents: the listener receives the event once the transaction committed, and its own write is committed', async () => {
    const marker = newMarker();
    const listeners = app.get(RowListeners);
    await alchemy.withSession(async () => {
      await service.writeAndEmitAfterCommit(marker, false);
      expect(listeners.committedEvents).not.toContain(marker); // not before COMMIT
    });
    expect(listeners.committedEvents).toContain(marker);
    expect([await rowsOf(marker), await rowsOf(`${marker}:after-commit`)]).toEqual([1, 1]);
  });

  it('AfterCommitEvents: never delivered after a rollback', async () => {
    const marker = newMarker();
    const listeners = app.get(RowListeners);
    await expect(alchemy.withSession(() => service.writeAndEmitAfterCommit(marker, true))).rejects.toThrow(
      'failing after',
    );
    // A later committed unit's event arrives; the rolled-back one's never did.
    const later = newMarker();
    await alchemy.withSession(() => service.writeAndEmitAfterCommit(later, false));
    expect(listeners.committedEvents).toContain(later);
    expect(listeners.committedEvents).not.toContain(marker);
    expect([await rowsOf(marker), await rowsOf(`${marker}:after-commit`)]).toEqual([0, 0]);
  });

  it('AfterCommitEvents outside a unit of work (no transaction to wait for): a clear error, nothing emitted', () => {
    const marker = newMarker();
    expect(() => app.get(AfterCommitEvents).emit('row.committed', new RowEvent(marker))).toThrow(SessionScopeError);
    expect(app.get(RowListeners).committedEvents).not.toContain(marker);
  });
});
