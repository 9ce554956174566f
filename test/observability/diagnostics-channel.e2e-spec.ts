import { Controller, Module, Post, Query, type INestApplication } from '@nestjs/common';
import {
  ALCHEMY_CHANNELS,
  AdvancedAlchemyModule,
  InjectSession,
  publishStatementText,
  type Session,
  type SessionClosedEvent,
  type StatementEvent,
  type TransactionEndedEvent,
} from 'nestjs-advanced-alchemy';
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from 'nestjs-advanced-alchemy/testing';
import diagnosticsChannel from 'node:diagnostics_channel';
import request from 'supertest';
import { CommitRow } from '../commit/fixtures/commit-row.entity';
import { newMarker } from '../commit/fixtures/markers';
import { RowWriter } from '../commit/fixtures/row-writer.service';
import { RowsController } from '../commit/fixtures/rows.controller';
import { startHttpApp } from '../commit/fixtures/start-app';

@Controller('nested')
class NestedController {
  constructor(@InjectSession() private readonly session: Session) {}

  /** A write inside a NESTED unit (a savepoint) of the request's transaction. */
  @Post() async nested(@Query('marker') marker: string) {
    await this.session.getRepository(CommitRow).insert({ marker: `${marker}-outer` });
    await this.session.transaction((inner) => inner.getRepository(CommitRow).insert({ marker }), {
      propagation: 'NESTED',
    });
    return { marker };
  }
}

interface Received {
  channel: string;
  message: Record<string, unknown>;
}

describe.each(testDatabaseKinds())('diagnostics_channel events on %s', (kind) => {
  let database: TestDatabase;
  let app: INestApplication;
  const received: Received[] = [];
  const listeners = Object.values(ALCHEMY_CHANNELS).map((channel) => {
    const listener = (message: unknown) => received.push({ channel, message: message as Record<string, unknown> });
    return [channel, listener] as const;
  });
  const subscribe = () => listeners.forEach(([channel, listener]) => diagnosticsChannel.subscribe(channel, listener));
  const unsubscribe = () =>
    listeners.forEach(([channel, listener]) => diagnosticsChannel.unsubscribe(channel, listener));
  const names = () => received.filter((event) => event.channel !== ALCHEMY_CHANNELS.statement).map((e) => e.channel);
  const of = <Event>(channel: string): Event[] =>
    received.filter((event) => event.channel === channel).map((event) => event.message as Event);

  beforeAll(async () => {
    database = await createTestDatabase(kind, 'otel_channels');
    @Module({
      imports: [
        AdvancedAlchemyModule.forRoot({
          connectionString: database.connectionString,
          entities: [CommitRow],
          createAll: true,
          commitMode: 'autocommit',
        }),
      ],
      controllers: [RowsController, NestedController],
      providers: [RowWriter],
    })
    class ChannelsModule {}
    app = await startHttpApp(ChannelsModule, 'express');
  });
  afterAll(async () => {
    unsubscribe();
    publishStatementText(false);
    await app?.close();
    await database?.drop();
  });
  beforeEach(() => {
    received.splice(0);
    subscribe();
  });
  afterEach(() => {
    unsubscribe();
    publishStatementText(false);
  });

  it('a committed POST: opened, acquired, BEGIN, COMMIT decided by 201 in autocommit, closed', async () => {
    await request(app.getHttpServer()).post(`/rows?marker=${newMarker()}`).expect(201);
    const C = ALCHEMY_CHANNELS;
    expect(names()).toEqual([
      C.sessionOpened,
      C.connectionAcquired,
      C.transactionBegan,
      C.transactionEnded,
      C.sessionClosed,
    ]);
    const session = received[0].message.session;
    expect(received[0].message).toEqual({ bindKey: 'default', scope: 'http', session });
    const [ended] = of<TransactionEndedEvent>(C.transactionEnded);
    expect(ended).toEqual({
      bindKey: 'default',
      session,
      outcome: 'commit',
      durationMs: expect.any(Number),
      reason: { decidedBy: 'status', commitMode: 'autocommit', status: 201 },
      error: undefined,
    });
    const [closed] = of<SessionClosedEvent>(C.sessionClosed);
    expect(closed.session).toBe(session);
    expect(closed.heldMs).toBeGreaterThanOrEqual(ended.durationMs);
  });

  it('a handler that throws: ROLLBACK decided by its 500', async () => {
    await request(app.getHttpServer()).post(`/rows/fail?marker=${newMarker()}`).expect(500);
    const [ended] = of<TransactionEndedEvent>(ALCHEMY_CHANNELS.transactionEnded);
    expect(ended.outcome).toBe('rollback');
    expect(ended.reason).toEqual({ decidedBy: 'status', commitMode: 'autocommit', status: 500 });
  });

  it('a NESTED unit publishes its SAVEPOINT', async () => {
    await request(app.getHttpServer()).post(`/nested?marker=${newMarker()}`).expect(201);
    const [savepoint] = of<{ name: string; bindKey: string }>(ALCHEMY_CHANNELS.savepoint);
    expect(savepoint).toEqual({ bindKey: 'default', session: received[0].message.session, name: 'aa_savepoint_1' });
  });

  it('statement events carry durations, the SQL only when asked for, and never the parameters', async () => {
    const hidden = newMarker();
    await request(app.getHttpServer()).post(`/rows?marker=${hidden}`).expect(201);
    const plain = of<StatementEvent>(ALCHEMY_CHANNELS.statement);
    expect(plain.length).toBeGreaterThanOrEqual(3); // BEGIN, INSERT, COMMIT at least
    for (const event of plain) {
      expect(event).toEqual({ bindKey: 'default', durationMs: expect.any(Number), failed: false });
    }

    received.splice(0);
    publishStatementText(true);
    const shown = newMarker();
    await request(app.getHttpServer()).post(`/rows?marker=${shown}`).expect(201);
    const texts = of<StatementEvent>(ALCHEMY_CHANNELS.statement).map((event) => event.sql);
    expect(texts.some((sql) => /INSERT INTO/i.test(sql ?? ''))).toBe(true);
    expect(JSON.stringify(received.map((event) => ({ ...event.message, session: undefined })))).not.toContain(shown);
  });
});
