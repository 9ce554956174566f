import fc from 'fast-check';
import { OtelHarness } from '../../test/observability/fixtures/otel-harness';
import { parseConnectionString } from '../config/connection-string';
import type { Bind } from '../session/bind';
import { channels } from './channels';
import * as publish from './publish';
import { registerOpenTelemetryBridge, type TelemetryRegistration } from './telemetry';

// Whatever the connection string holds, the bridge's spans and metric points name where the
// database is and never its password, even when a COMMIT fails with an error whose message quotes
// the connection string (the user name is no secret: the module's logs name it too). Driven through the real channels, bridge and SDKs,
// with sessions of fuzzed connection strings (no database needed: the bridge reads only the options).
const schemes = ['postgresql', 'mariadb', 'mysql'] as const;
const hosts = ['127.0.0.1', 'db.internal', '[::1]'] as const;

const credentials = fc.record({
  scheme: fc.constantFrom(...schemes),
  host: fc.constantFrom(...hosts),
  port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
  user: fc.string({ minLength: 1, maxLength: 12, unit: 'grapheme' }),
  password: fc.string({ minLength: 6, maxLength: 24, unit: 'grapheme' }),
  database: fc.constantFrom('app', 'orders_db', 'x'),
});

describe('no secret in any span or metric point (fuzzed connection strings)', () => {
  let otel: OtelHarness;
  let bridge: TelemetryRegistration;
  beforeAll(() => {
    otel = new OtelHarness();
    bridge = registerOpenTelemetryBridge({ tracerProvider: otel.tracerProvider, meterProvider: otel.meterProvider });
  });
  afterAll(async () => {
    bridge.unregister();
    await otel.shutdown();
  });

  it('holds for 200 connection strings', async () => {
    await fc.assert(
      fc.asyncProperty(credentials, async ({ scheme, host, port, user, password, database }) => {
        const text = (value: string) =>
          `${host} ${database} ${port ?? ''} default sqlite postgresql mariadb mysql`.includes(value);
        fc.pre(!text(password) && !user.includes(password) && !password.includes(user));
        const url =
          `${scheme}://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${host}` +
          `${port === undefined ? '' : `:${port}`}/${database}`;
        const target = parseConnectionString(url, 'default');
        const bind = {
          key: 'default',
          commitMode: 'autocommit',
          secrets: [password],
          dataSource: { options: target.options },
        } as unknown as Bind;
        const session = { bind, scopeKind: 'http' as const };
        otel.reset();
        publish.publishSessionOpened(session);
        publish.connectionTaken(session, performance.now());
        publish.publishTransactionBegan(session, { readOnly: false });
        publish.noteDecision(session, 'status', 201);
        // A driver error that quotes the connection string (some do on a failed handshake).
        publish.commitFailed(session, new Error(`COMMIT failed on ${url} (password ${password})`));
        publish.publishSessionClosed(session);

        const spans = otel.spans();
        expect(spans.map((span) => span.name).sort()).toEqual(['db.session', 'db.transaction']);
        const seen = JSON.stringify({
          spans: spans.map((span) => ({ attributes: span.attributes, status: span.status, events: span.events })),
          points: (await otel.metrics()).map((point) => point.attributes),
        });
        expect(seen).toContain('"server.address"');
        for (const secret of [password, encodeURIComponent(password)]) {
          expect(seen).not.toContain(secret);
        }
      }),
      { numRuns: 200 },
    );
    expect(channels.transactionEnded.hasSubscribers).toBe(true);
  });
});
