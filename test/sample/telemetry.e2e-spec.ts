import { createTestDatabase, type TestDatabase } from 'nestjs-advanced-alchemy/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { freePort } from '../support/free-port';
import { waitUntil } from '../reliability/fixtures/wait-until';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Array<{ key: string; value: Record<string, unknown> }>;
}

const SERVER_KIND = 2; // OTLP's SPAN_KIND_SERVER

// The sample as `npm start` runs it, with OTEL_EXPORTER_OTLP_ENDPOINT pointing at a collector of this
// test: its HTTP server spans, the module's spans inside them and its metrics arrive over OTLP/HTTP.
describe('the sample with OTEL_EXPORTER_OTLP_ENDPOINT set', () => {
  const spans: OtlpSpan[] = [];
  const metricNames = new Set<string>();
  let collector: Server;
  let sample: ChildProcess;
  let catalogue: TestDatabase;
  let audit: TestDatabase;
  let port: number;

  beforeAll(async () => {
    [catalogue, audit] = await Promise.all([
      createTestDatabase('sqlite', 'sample_otel'),
      createTestDatabase('sqlite', 'sample_otel_audit'),
    ]);
    collector = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown[]>;
        for (const resource of (body.resourceSpans ?? []) as Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }>) {
          for (const scope of resource.scopeSpans) spans.push(...scope.spans);
        }
        for (const resource of (body.resourceMetrics ?? []) as Array<{
          scopeMetrics: Array<{ metrics: Array<{ name: string }> }>;
        }>) {
          for (const scope of resource.scopeMetrics) for (const metric of scope.metrics) metricNames.add(metric.name);
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const collectorPort = (collector.address() as { port: number }).port;
    port = await freePort();
    const root = join(__dirname, '..', '..');
    sample = spawn(
      process.execPath,
      [join(root, 'test', 'reliability', 'fixtures', 'run-typescript.mjs'), join(root, 'sample', 'src', 'main.ts')],
      {
        cwd: root,
        env: {
          ...process.env,
          OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${collectorPort}`,
          PORT: String(port),
          DATABASE_URL: catalogue.connectionString,
          AUDIT_DATABASE_URL: audit.connectionString,
        },
        stdio: 'ignore',
      },
    );
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined))?.ok === true);
  }, 60_000);
  afterAll(async () => {
    sample?.kill('SIGKILL');
    await new Promise((resolve) => collector?.close(resolve));
    await catalogue?.drop();
    await audit?.drop();
  });

  it('POST /authors: a server span, db.session inside it, db.transaction inside that; metrics arrive too', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/authors`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Ursula K. Le Guin' }),
    });
    expect(response.status).toBe(201);
    // The batch span processor sends every 5 s, the metric reader every 10 s.
    await waitUntil(
      () => spans.some((span) => span.name === 'db.transaction') && metricNames.has('alchemy.transaction.commits'),
      20_000,
    );
    const server = spans.find((span) => span.kind === SERVER_KIND && span.name.startsWith('POST'));
    expect(server).toBeDefined();
    const sessions = spans.filter((span) => span.name === 'db.session' && span.parentSpanId === server?.spanId);
    expect(sessions.length).toBeGreaterThanOrEqual(1);
    const transaction = spans.find(
      (span) => span.name === 'db.transaction' && sessions.some((session) => span.parentSpanId === session.spanId),
    );
    expect(transaction?.traceId).toBe(server?.traceId);
    const decision = transaction?.attributes.find((attribute) => attribute.key === 'alchemy.decision');
    expect(decision?.value).toEqual({ stringValue: 'commit' });
    expect([...metricNames]).toEqual(
      expect.arrayContaining(['alchemy.transaction.commits', 'db.client.connection.wait_time']),
    );
  }, 40_000);
});

async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 100));
}
