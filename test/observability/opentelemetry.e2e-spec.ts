import { BadRequestException, Controller, Inject, Module, Post, Query, type INestApplication } from '@nestjs/common';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { AdvancedAlchemy, AdvancedAlchemyModule, InjectSession, type Session } from 'nestjs-advanced-alchemy';
import {
  createTestDatabase,
  openProbe,
  testDatabaseKinds,
  type DatabaseProbe,
  type TestDatabase,
} from 'nestjs-advanced-alchemy/testing';
import request from 'supertest';
import { COMMIT_ROWS, CommitRow } from '../commit/fixtures/commit-row.entity';
import { createDeferredForeignKey, hasDeferredConstraints } from '../commit/fixtures/deferred-foreign-key';
import { doomedRowTable, writeDoomedRow } from '../commit/fixtures/doomed-write';
import { newMarker } from '../commit/fixtures/markers';
import { RowWriter } from '../commit/fixtures/row-writer.service';
import { startHttpApp } from '../commit/fixtures/start-app';
import { waitUntil } from '../reliability/fixtures/wait-until';
import { isChildOf, OtelHarness, type MetricPoint } from './fixtures/otel-harness';

/** Accepted by PostgreSQL's trust authentication; it must never appear in a span or a metric. */
const PASSWORD = 'Otel-S3cret-9931';
const POOL_TIMEOUT_MS = 400;
const PROBE = Symbol('PROBE');

/** Releases the requests that `POST /otel/hold` keeps waiting (with their connection held). */
class Gate {
  #open?: () => void;
  #held = new Promise<void>((resolve) => (this.#open = resolve));
  entered = 0;
  wait(): Promise<void> {
    this.entered++;
    return this.#held;
  }
  open(): void {
    this.#open?.();
    this.#held = new Promise<void>((resolve) => (this.#open = resolve));
  }
}

@Controller('otel')
class OtelController {
  constructor(
    private readonly rows: RowWriter,
    @InjectSession() private readonly session: Session,
    @Inject(PROBE) private readonly probe: { current?: DatabaseProbe },
    private readonly gate: Gate,
  ) {}

  @Post('ok') async ok(@Query('marker') marker: string) {
    await this.rows.write(marker);
    return { marker };
  }

  @Post('bad') async bad(@Query('marker') marker: string) {
    await this.rows.write(marker);
    throw new BadRequestException(`refusing ${marker.length} characters`);
  }

  @Post('doomed') async doomed(@Query('marker') marker: string) {
    await writeDoomedRow(this.session, marker, this.probe.current as DatabaseProbe);
    return { marker };
  }

  /** One plain read and nothing else: on PostgreSQL (beginOnFirstWrite) it runs on a borrowed connection, no BEGIN. */
  @Post('read') async read() {
    const [row] = await this.session.query<Array<{ one: number }>>('SELECT 1 AS one');
    return { one: Number(row.one) };
  }

  @Post('hold') async hold(@Query('marker') marker: string) {
    await this.rows.write(marker);
    await this.gate.wait();
    return { marker };
  }
}

const SYSTEM: Record<string, string> = { sqlite: 'sqlite', postgres: 'postgresql', mariadb: 'mariadb' };

describe.each(testDatabaseKinds())('OpenTelemetry bridge on %s', (kind) => {
  let otel: OtelHarness;
  const probeRef: { current?: DatabaseProbe } = {};
  const gate = new Gate();
  let database: TestDatabase;
  let probe: DatabaseProbe;
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    otel = new OtelHarness();
    database = await createTestDatabase(kind, 'otel_bridge');
    const connection = new URL(database.connectionString);
    if (kind === 'postgres') connection.password = PASSWORD;
    url = kind === 'sqlite' ? database.connectionString : connection.toString();
    @Module({
      imports: [
        AdvancedAlchemyModule.forRoot(
          {
            connectionString: url,
            entities: [CommitRow],
            createAll: true,
            commitMode: 'autocommit',
            engineConfig: { poolTimeout: POOL_TIMEOUT_MS, ...(kind === 'sqlite' ? {} : { poolSize: 1 }) },
          },
          { telemetry: { tracerProvider: otel.tracerProvider, meterProvider: otel.meterProvider } },
        ),
      ],
      controllers: [OtelController],
      providers: [RowWriter, { provide: Gate, useValue: gate }, { provide: PROBE, useValue: probeRef }],
    })
    class OtelModule {}
    app = await startHttpApp(OtelModule, 'express');
    probe = await openProbe(database.connectionString);
    probeRef.current = probe;
    if (hasDeferredConstraints(kind)) await createDeferredForeignKey(probe);
    otel.traceHttpServer(app.getHttpServer());
  });
  afterAll(async () => {
    gate.open();
    await app?.close();
    await probe?.close();
    await database?.drop();
    await otel?.shutdown();
  });
  beforeEach(() => otel.reset());
  jest.setTimeout(20_000);

  const named = (name: string) => otel.spans().filter((span) => span.name === name);
  /** The spans of one request, once its HTTP span has ended: exactly one server span. */
  const requestSpans = async (count: number) => {
    await waitUntil(() => otel.spans().filter((span) => span.kind === SpanKind.SERVER).length >= count, 2_000);
    return {
      http: otel.spans().filter((span) => span.kind === SpanKind.SERVER),
      sessions: named('db.session'),
      transactions: named('db.transaction'),
    };
  };
  const where = (): Record<string, unknown> =>
    kind === 'sqlite'
      ? { 'db.system.name': 'sqlite', 'db.namespace': expect.any(String) }
      : {
          'db.system.name': SYSTEM[kind],
          'db.namespace': new URL(database.connectionString).pathname.slice(1),
          'server.address': '127.0.0.1',
          'server.port': kind === 'postgres' ? 5432 : 3306,
        };
  const total = (points: MetricPoint[], name: string, attributes: Record<string, unknown> = {}): number =>
    points
      .filter((point) => point.name === name)
      .filter((point) => Object.entries(attributes).every(([key, value]) => point.attributes[key] === value))
      .reduce((sum, point) => sum + (typeof point.value === 'number' ? point.value : point.value.count), 0);
  /** What the test's requests added to each metric. */
  const metricDelta = async (action: () => Promise<void>) => {
    const before = await otel.metrics();
    await action();
    const after = await otel.metrics();
    return (name: string, attributes?: Record<string, unknown>) =>
      total(after, name, attributes) - total(before, name, attributes);
  };
  const expectNoSecrets = (spans: ReadableSpan[], markers: string[], points: MetricPoint[] = []) => {
    const text = JSON.stringify({
      spans: spans.map((span) => ({
        attributes: span.attributes,
        status: span.status,
        events: span.events,
        name: span.name,
      })),
      points: points.map((point) => point.attributes),
    });
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(encodeURIComponent(PASSWORD));
    for (const marker of markers) expect(text).not.toContain(marker);
  };

  it('a committed POST: db.session inside the HTTP span, db.transaction inside it, commit decided by 201', async () => {
    const marker = newMarker();
    const delta = await metricDelta(async () => {
      await request(app.getHttpServer()).post(`/otel/ok?marker=${marker}`).expect(201);
      await requestSpans(1);
    });
    const { http, sessions, transactions } = await requestSpans(1);
    expect(await probe.count(COMMIT_ROWS, 'marker = ?', [marker])).toBe(1);

    expect([http.length, sessions.length, transactions.length]).toEqual([1, 1, 1]);
    expect(isChildOf(sessions[0], http[0])).toBe(true);
    expect(isChildOf(transactions[0], sessions[0])).toBe(true);
    const decided = {
      'alchemy.bind_key': 'default',
      'alchemy.commit_mode': 'autocommit',
      'alchemy.decision': 'commit',
      'alchemy.decided_by': 'status',
      'http.response.status_code': 201,
    };
    expect(sessions[0].attributes).toEqual(
      expect.objectContaining({ ...where(), ...decided, 'alchemy.scope': 'http' }),
    );
    expect(transactions[0].attributes).toEqual(expect.objectContaining({ ...where(), ...decided }));
    expect(sessions[0].status.code).toBe(SpanStatusCode.UNSET);
    expect(transactions[0].status.code).toBe(SpanStatusCode.UNSET);

    const pool = { 'db.client.connection.pool.name': 'default' };
    expect(
      delta('alchemy.transaction.commits', { 'alchemy.bind_key': 'default', 'alchemy.decided_by': 'status' }),
    ).toBe(1);
    expect(delta('alchemy.transaction.rollbacks')).toBe(0);
    expect(delta('alchemy.commit.failures')).toBe(0);
    expect(delta('db.client.connection.wait_time', pool)).toBe(1);
    expect(delta('db.client.connection.use_time', pool)).toBe(1);
    expectNoSecrets(otel.spans(), [marker], await otel.metrics());
  });

  it('a rolled-back 4xx: the transaction ends in ROLLBACK, decided by 400', async () => {
    const marker = newMarker();
    const delta = await metricDelta(async () => {
      await request(app.getHttpServer()).post(`/otel/bad?marker=${marker}`).expect(400);
      await requestSpans(1);
    });
    const { http, sessions, transactions } = await requestSpans(1);
    expect(await probe.count(COMMIT_ROWS, 'marker = ?', [marker])).toBe(0);

    expect([http.length, sessions.length, transactions.length]).toEqual([1, 1, 1]);
    expect(isChildOf(sessions[0], http[0])).toBe(true);
    expect(isChildOf(transactions[0], sessions[0])).toBe(true);
    expect(transactions[0].attributes).toEqual(
      expect.objectContaining({
        'alchemy.decision': 'rollback',
        'alchemy.decided_by': 'status',
        'alchemy.commit_mode': 'autocommit',
        'http.response.status_code': 400,
      }),
    );
    expect(transactions[0].status.code).toBe(SpanStatusCode.UNSET);
    expect(delta('alchemy.transaction.rollbacks', { 'alchemy.decided_by': 'status' })).toBe(1);
    expect(delta('alchemy.transaction.commits')).toBe(0);
    expectNoSecrets(otel.spans(), [marker]);
  });

  it('a failed commit: the transaction span is an error, the failure counted, nothing stored', async () => {
    const marker = newMarker();
    let status = 0;
    let message = '';
    const delta = await metricDelta(async () => {
      const answer = await request(app.getHttpServer()).post(`/otel/doomed?marker=${marker}`);
      [status, message] = [answer.status, String((answer.body as { message?: unknown }).message)];
      await requestSpans(1);
    });
    const { http, sessions, transactions } = await requestSpans(1);
    expect(await probe.count(doomedRowTable(kind), 'marker = ?', [marker])).toBe(0);
    // MariaDB: the connection was killed while the session sat idle in its transaction, before COMMIT was
    // sent, so the database rolled it back: a known rollback (503, nothing stored), not an unknown outcome.
    // (PostgreSQL and SQLite: the deferred foreign key makes the database refuse the COMMIT: 500.)
    expect(status).toBe(kind === 'mariadb' ? 503 : 500);
    if (kind === 'mariadb') expect(message).toMatch(/before the changes were committed: nothing was stored/);

    expect([http.length, sessions.length, transactions.length]).toEqual([1, 1, 1]);
    expect(isChildOf(sessions[0], http[0])).toBe(true);
    expect(isChildOf(transactions[0], sessions[0])).toBe(true);
    expect(transactions[0].attributes).toEqual(
      expect.objectContaining({
        'alchemy.decision': 'commit',
        'alchemy.decided_by': 'status',
        'http.response.status_code': 201,
        'error.type': expect.any(String),
      }),
    );
    expect(transactions[0].status.code).toBe(SpanStatusCode.ERROR);
    expect(sessions[0].status.code).toBe(SpanStatusCode.ERROR);
    expect(sessions[0].attributes['alchemy.outcome_unknown']).toBe(false);
    expect(delta('alchemy.commit.failures', { 'alchemy.outcome_unknown': false })).toBe(1);
    expect(delta('alchemy.transaction.commits')).toBe(0);
    expectNoSecrets(otel.spans(), [marker]);
  });

  it('pool exhaustion: the waiting session span fails with SessionAcquireTimeoutError, the gauges show the wait', async () => {
    const [holder, waiter] = [newMarker(), newMarker()];
    let waiting: Awaited<ReturnType<typeof otel.metrics>> = [];
    const delta = await metricDelta(async () => {
      const held = request(app.getHttpServer())
        .post(`/otel/hold?marker=${holder}`)
        .then((response) => response);
      await waitUntil(() => gate.entered === 1, 5_000);
      const refused = request(app.getHttpServer())
        .post(`/otel/ok?marker=${waiter}`)
        .then((response) => response);
      await new Promise((resolve) => setTimeout(resolve, POOL_TIMEOUT_MS / 2));
      waiting = await otel.metrics();
      expect((await refused).status).toBe(503);
      gate.open();
      expect((await held).status).toBe(201);
      await requestSpans(2);
    });
    const { http, sessions, transactions } = await requestSpans(2);
    expect([http.length, sessions.length, transactions.length]).toEqual([2, 2, 1]);
    const failed = sessions.filter((span) => span.status.code === SpanStatusCode.ERROR);
    expect(failed).toHaveLength(1);
    expect(failed[0].attributes['error.type']).toBe('SessionAcquireTimeoutError');
    expect(failed[0].status.message).toMatch(/Waited \d+ ms for/);
    const refusedHttp = http.find((span) => span.attributes['http.response.status_code'] === 503) as ReadableSpan;
    expect(isChildOf(failed[0], refusedHttp)).toBe(true);
    expect(isChildOf(transactions[0], sessions.find((span) => span !== failed[0]) as ReadableSpan)).toBe(true);
    expect(delta('alchemy.pool.exhausted', { 'alchemy.bind_key': 'default' })).toBe(1);
    if (kind !== 'sqlite') {
      // Both waited for a connection; only the holder held one: the refused session's wait is a wait, not a use.
      const pool = { 'db.client.connection.pool.name': 'default' };
      expect(delta('db.client.connection.wait_time', pool)).toBe(2);
      expect(delta('db.client.connection.use_time', pool)).toBe(1);
    }
    if (kind !== 'sqlite') {
      // While the holder had the only connection and the other request waited for it.
      const pool = { 'db.client.connection.pool.name': 'default' };
      expect(total(waiting, 'db.client.connection.count', { ...pool, 'db.client.connection.state': 'used' })).toBe(1);
      expect(total(waiting, 'db.client.connection.count', { ...pool, 'db.client.connection.state': 'idle' })).toBe(0);
      expect(total(waiting, 'db.client.connection.pending_requests', pool)).toBe(1);
      const after = await otel.metrics();
      expect(total(after, 'db.client.connection.count', { ...pool, 'db.client.connection.state': 'used' })).toBe(0);
      expect(total(after, 'db.client.connection.pending_requests', pool)).toBe(0);
    }
    expectNoSecrets(otel.spans(), [holder, waiter]);
  });

  it('a read on a borrowed connection (no BEGIN) reports its wait for the connection', async () => {
    const delta = await metricDelta(async () => {
      await request(app.getHttpServer()).post('/otel/read').expect(201);
      await requestSpans(1);
    });
    const { sessions, transactions } = await requestSpans(1);
    expect([sessions.length, transactions.length]).toEqual([1, kind === 'postgres' ? 0 : 1]);
    if (kind !== 'sqlite') {
      expect(delta('db.client.connection.wait_time', { 'db.client.connection.pool.name': 'default' })).toBe(1);
      expect(sessions[0].attributes['alchemy.connection.wait_ms']).toEqual(expect.any(Number));
    }
  });

  it('a withSession job: db.session inside the job span, committed because its work resolved', async () => {
    const marker = newMarker();
    const alchemy = app.get(AdvancedAlchemy);
    const job = otel.tracer.startSpan('nightly-job');
    const delta = await metricDelta(async () => {
      await context.with(trace.setSpan(context.active(), job), () =>
        alchemy.withSession((session) =>
          session
            .getRepository(CommitRow)
            .insert({ marker })
            .then(() => undefined),
        ),
      );
      job.end();
    });
    expect(await probe.count(COMMIT_ROWS, 'marker = ?', [marker])).toBe(1);
    const [jobSpan] = named('nightly-job');
    const sessions = named('db.session');
    const transactions = named('db.transaction');
    expect([sessions.length, transactions.length]).toEqual([1, 1]);
    expect(isChildOf(sessions[0], jobSpan)).toBe(true);
    expect(isChildOf(transactions[0], sessions[0])).toBe(true);
    expect(sessions[0].attributes).toEqual(expect.objectContaining({ ...where(), 'alchemy.scope': 'withSession' }));
    expect(transactions[0].attributes).toEqual(
      expect.objectContaining({ 'alchemy.decision': 'commit', 'alchemy.decided_by': 'withSession' }),
    );
    expect(transactions[0].attributes['http.response.status_code']).toBeUndefined();
    expect(delta('alchemy.transaction.commits', { 'alchemy.decided_by': 'withSession' })).toBe(1);
    expectNoSecrets(otel.spans(), [marker]);
  });
});
