import { Controller, Module, Post, Query, type INestApplication } from '@nestjs/common';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { AdvancedAlchemyModule } from 'nestjs-advanced-alchemy';
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from 'nestjs-advanced-alchemy/testing';
import request from 'supertest';
import { CommitRow } from '../commit/fixtures/commit-row.entity';
import { newMarker } from '../commit/fixtures/markers';
import { RowWriter } from '../commit/fixtures/row-writer.service';
import { startHttpApp } from '../commit/fixtures/start-app';
import { startTcpProxy, throughProxy, type TcpProxy } from '../reliability/fixtures/tcp-proxy';
import { waitUntil } from '../reliability/fixtures/wait-until';
import { OtelHarness, type MetricPoint } from './fixtures/otel-harness';

@Controller('unreachable')
class WriteController {
  constructor(private readonly rows: RowWriter) {}

  @Post('ok') async ok(@Query('marker') marker: string) {
    await this.rows.write(marker);
    return { marker };
  }
}

const servers = testDatabaseKinds().filter((kind) => kind !== 'sqlite');
const FAILURES = 'alchemy.connection.failures';

const total = (points: MetricPoint[], name: string, attributes: Record<string, unknown> = {}): number =>
  points
    .filter((point) => point.name === name)
    .filter((point) => Object.entries(attributes).every(([key, value]) => point.attributes[key] === value))
    .reduce((sum, point) => sum + (typeof point.value === 'number' ? point.value : point.value.count), 0);

// The database refuses connections (its port closed) after the application started: each session
// that opens fails with DatabaseUnavailableError (503), and telemetry says so on its own.
describe.each(servers)('OpenTelemetry bridge with an unreachable %s', (kind) => {
  let otel: OtelHarness;
  let database: TestDatabase;
  let proxy: TcpProxy;
  let app: INestApplication;

  beforeAll(async () => {
    otel = new OtelHarness();
    database = await createTestDatabase(kind, 'otel_unreachable');
    const target = new URL(database.connectionString);
    proxy = await startTcpProxy(Number(target.port || (kind === 'postgres' ? 5432 : 3306)));
    @Module({
      imports: [
        AdvancedAlchemyModule.forRoot(
          {
            connectionString: throughProxy(database.connectionString, proxy),
            entities: [CommitRow],
            createAll: true,
            commitMode: 'autocommit',
            engineConfig: {
              poolSize: 2,
              poolTimeout: 1_000,
              connectArgs: kind === 'postgres' ? { connectionTimeoutMillis: 1_000 } : { connectTimeout: 1_000 },
            },
          },
          { telemetry: { tracerProvider: otel.tracerProvider, meterProvider: otel.meterProvider } },
        ),
      ],
      controllers: [WriteController],
      providers: [RowWriter],
    })
    class UnreachableModule {}
    app = await startHttpApp(UnreachableModule, 'express');
    otel.traceHttpServer(app.getHttpServer());
  });
  afterAll(async () => {
    await proxy?.restore();
    await app?.close();
    await proxy?.close();
    await database?.drop();
    await otel?.shutdown();
  });
  jest.setTimeout(20_000);

  it('a refused connection: the db.session span carries error.type and alchemy.connection.failures moves', async () => {
    await request(app.getHttpServer()).post(`/unreachable/ok?marker=${newMarker()}`).expect(201);
    await proxy.cut();
    otel.reset();
    const before = await otel.metrics();

    const answer = await request(app.getHttpServer()).post(`/unreachable/ok?marker=${newMarker()}`);
    expect(answer.status).toBe(503);
    await waitUntil(() => otel.spans().some((span) => span.kind === SpanKind.SERVER), 2_000);

    const sessions = otel.spans().filter((span) => span.name === 'db.session');
    expect(sessions).toHaveLength(1);
    expect(sessions[0].status.code).toBe(SpanStatusCode.ERROR);
    expect(sessions[0].attributes['error.type']).toBe('DatabaseUnavailableError');
    expect(sessions[0].status.message).toMatch(/cannot be reached/);
    const after = await otel.metrics();
    const failures = { 'db.client.connection.pool.name': 'default', 'error.type': 'DatabaseUnavailableError' };
    expect(total(after, FAILURES, failures) - total(before, FAILURES, failures)).toBe(1);
  });
});
