import {
  context,
  metrics,
  SpanStatusCode,
  trace,
  type Attributes,
  type BatchObservableResult,
  type Counter,
  type Histogram,
  type MeterProvider,
  type ObservableGauge,
  type Span,
  type TracerProvider,
} from '@opentelemetry/api';
import diagnosticsChannel from 'node:diagnostics_channel';
import { describeError } from '../core/secret-scrubber';
import type { Bind } from '../session/bind';
import { liveOwnerList } from '../transactions/live-owners';
import {
  ALCHEMY_CHANNELS,
  type CommitFailedEvent,
  type ConnectionAcquiredEvent,
  type ConnectionFailedEvent,
  type PoolExhaustedEvent,
  type SavepointEvent,
  type SessionClosedEvent,
  type SessionOpenedEvent,
  type TransactionBeganEvent,
  type TransactionEndedEvent,
} from './channels';
import { connectionAttributes } from './connection-attributes';
import type { ObservedSession } from './publish';

/** Where the bridge sends its spans and metrics; the globally registered providers by default. */
export interface OpenTelemetryBridgeOptions {
  tracerProvider?: TracerProvider;
  meterProvider?: MeterProvider;
}

const SCOPE_NAME = 'nestjs-advanced-alchemy';

interface SessionSpans {
  session: Span;
  transaction?: Span;
}

interface Instruments {
  waitTime: Histogram;
  useTime: Histogram;
  commits: Counter;
  rollbacks: Counter;
  commitFailures: Counter;
  poolExhaustions: Counter;
  connectionFailures: Counter;
  connections: ObservableGauge;
  pending: ObservableGauge;
}

/** The module's own work as OpenTelemetry spans and metrics, fed by its diagnostics channels. */
export class OpenTelemetryBridge {
  readonly #spans = new WeakMap<object, SessionSpans>();
  readonly #attributes = new WeakMap<Bind, Attributes>();
  readonly #subscriptions: Array<[string, (message: unknown) => void]> = [];
  #instruments?: Instruments;
  #observePools?: (result: BatchObservableResult) => void;

  constructor(private readonly options: OpenTelemetryBridgeOptions = {}) {}

  start(): void {
    if (this.#subscriptions.length > 0) return;
    this.#instruments = this.createInstruments();
    this.on(ALCHEMY_CHANNELS.sessionOpened, (event: SessionOpenedEvent) => this.sessionOpened(event));
    this.on(ALCHEMY_CHANNELS.connectionAcquired, (event: ConnectionAcquiredEvent) => this.connectionAcquired(event));
    this.on(ALCHEMY_CHANNELS.transactionBegan, (event: TransactionBeganEvent) => this.transactionBegan(event));
    this.on(ALCHEMY_CHANNELS.savepoint, (event: SavepointEvent) =>
      this.#spans.get(event.session)?.transaction?.addEvent('savepoint', { 'alchemy.savepoint': event.name }),
    );
    this.on(ALCHEMY_CHANNELS.transactionEnded, (event: TransactionEndedEvent) => this.transactionEnded(event));
    this.on(ALCHEMY_CHANNELS.commitFailed, (event: CommitFailedEvent) => this.commitFailed(event));
    this.on(ALCHEMY_CHANNELS.poolExhausted, (event: PoolExhaustedEvent) => this.poolExhausted(event));
    this.on(ALCHEMY_CHANNELS.connectionFailed, (event: ConnectionFailedEvent) => this.connectionFailed(event));
    this.on(ALCHEMY_CHANNELS.sessionClosed, (event: SessionClosedEvent) => this.sessionClosed(event));
  }

  stop(): void {
    for (const [name, listener] of this.#subscriptions.splice(0)) diagnosticsChannel.unsubscribe(name, listener);
    const instruments = this.#instruments;
    if (instruments && this.#observePools) {
      this.meter().removeBatchObservableCallback(this.#observePools, [instruments.connections, instruments.pending]);
    }
    this.#instruments = undefined;
  }

  private on<Event>(name: string, handle: (event: Event) => void): void {
    const listener = (message: unknown): void => handle(message as Event);
    diagnosticsChannel.subscribe(name, listener);
    this.#subscriptions.push([name, listener]);
  }

  private meter() {
    return (this.options.meterProvider ?? metrics).getMeter(SCOPE_NAME);
  }

  private tracer() {
    return (this.options.tracerProvider ?? trace).getTracer(SCOPE_NAME);
  }

  private createInstruments(): Instruments {
    const meter = this.meter();
    const instruments: Instruments = {
      waitTime: meter.createHistogram('db.client.connection.wait_time', {
        unit: 's',
        description: 'How long a session waited for a connection of its bind key (the checkout included).',
      }),
      useTime: meter.createHistogram('db.client.connection.use_time', {
        unit: 's',
        description: 'How long a session held its connection.',
      }),
      commits: meter.createCounter('alchemy.transaction.commits', {
        description: 'Transactions committed, by reason.',
      }),
      rollbacks: meter.createCounter('alchemy.transaction.rollbacks', {
        description: 'Transactions rolled back, by reason.',
      }),
      commitFailures: meter.createCounter('alchemy.commit.failures', {
        description: 'COMMITs that failed, by error class and whether the outcome is unknown.',
      }),
      poolExhaustions: meter.createCounter('alchemy.pool.exhausted', {
        description: 'Sessions that waited poolTimeout for a connection and got none.',
      }),
      connectionFailures: meter.createCounter('alchemy.connection.failures', {
        description: 'Sessions that could not get a working connection (database unreachable), by error class.',
      }),
      connections: meter.createObservableGauge('db.client.connection.count', {
        description: 'Connections of the bind key in use and idle (server databases).',
      }),
      pending: meter.createObservableGauge('db.client.connection.pending_requests', {
        description: 'Sessions waiting for a connection of the bind key.',
      }),
    };
    this.#observePools = (result) => {
      for (const bind of liveBinds()) {
        const slots = bind.slots;
        if (!slots) continue;
        const pool = { 'db.client.connection.pool.name': bind.key, 'alchemy.bind_key': bind.key };
        result.observe(instruments.connections, slots.inUse, { ...pool, 'db.client.connection.state': 'used' });
        result.observe(instruments.connections, slots.capacity - slots.inUse, {
          ...pool,
          'db.client.connection.state': 'idle',
        });
        result.observe(instruments.pending, slots.waiting, pool);
      }
    };
    meter.addBatchObservableCallback(this.#observePools, [instruments.connections, instruments.pending]);
    return instruments;
  }

  /** The semantic-convention attributes of a bind key, and its key (computed once per bind key). */
  private attributesOf(bind: Bind): Attributes {
    let found = this.#attributes.get(bind);
    if (!found) {
      found = {
        ...connectionAttributes(bind.dataSource.options as Parameters<typeof connectionAttributes>[0]),
        'alchemy.bind_key': bind.key,
      };
      this.#attributes.set(bind, found);
    }
    return found;
  }

  private sessionOpened(event: SessionOpenedEvent): void {
    const bind = (event.session as ObservedSession).bind;
    const span = this.tracer().startSpan(
      'db.session',
      {
        attributes: {
          ...this.attributesOf(bind),
          'alchemy.scope': event.scope,
          'alchemy.commit_mode': bind.commitMode,
          ...(event.tenant === undefined ? {} : { 'alchemy.tenant': event.tenant }),
        },
      },
      context.active(),
    );
    this.#spans.set(event.session, { session: span });
  }

  private connectionAcquired(event: ConnectionAcquiredEvent): void {
    this.#instruments?.waitTime.record(event.waitMs / 1000, poolAttributes(event.bindKey));
    if (event.session) this.#spans.get(event.session)?.session.setAttribute('alchemy.connection.wait_ms', event.waitMs);
  }

  private transactionBegan(event: TransactionBeganEvent): void {
    const spans = this.#spans.get(event.session);
    if (!spans) return;
    const bind = (event.session as ObservedSession).bind;
    const attributes: Attributes = { ...this.attributesOf(bind), 'alchemy.read_only': event.readOnly };
    if (event.isolationLevel) attributes['alchemy.isolation_level'] = event.isolationLevel;
    spans.transaction = this.tracer().startSpan(
      'db.transaction',
      { attributes },
      trace.setSpan(context.active(), spans.session),
    );
  }

  private transactionEnded(event: TransactionEndedEvent): void {
    const reason = event.reason;
    const attributes: Attributes = {
      'alchemy.bind_key': event.bindKey,
      'alchemy.commit_mode': reason.commitMode,
      'alchemy.decision': event.outcome,
      'alchemy.decided_by': reason.decidedBy,
    };
    if (reason.status !== undefined) attributes['http.response.status_code'] = reason.status;
    const counted = { 'alchemy.bind_key': event.bindKey, 'alchemy.decided_by': reason.decidedBy };
    if (event.error === undefined)
      (event.outcome === 'commit' ? this.#instruments?.commits : this.#instruments?.rollbacks)?.add(1, counted);
    const spans = this.#spans.get(event.session);
    if (!spans) return;
    spans.session.setAttributes(attributes);
    const span = spans.transaction;
    if (!span) return;
    spans.transaction = undefined;
    span.setAttributes(attributes);
    if (event.error !== undefined) this.fail(span, event.session, event.error);
    span.end();
  }

  private commitFailed(event: CommitFailedEvent): void {
    this.#instruments?.commitFailures.add(1, {
      'alchemy.bind_key': event.bindKey,
      'error.type': event.errorClass,
      'alchemy.outcome_unknown': event.outcomeUnknown,
    });
    const spans = this.#spans.get(event.session);
    if (!spans) return;
    spans.session.setAttribute('alchemy.outcome_unknown', event.outcomeUnknown);
    this.fail(spans.session, event.session, event.error);
  }

  private poolExhausted(event: PoolExhaustedEvent): void {
    this.#instruments?.poolExhaustions.add(1, poolAttributes(event.bindKey));
    // The session waited for a connection and got none: its wait counts as a wait (it held nothing to use).
    if (event.waitMs !== undefined)
      this.#instruments?.waitTime.record(event.waitMs / 1000, poolAttributes(event.bindKey));
    const spans = this.#spans.get(event.session);
    if (spans) this.fail(spans.session, event.session, event.error);
  }

  private connectionFailed(event: ConnectionFailedEvent): void {
    const errorType = event.error.constructor.name;
    this.#instruments?.connectionFailures.add(1, { ...poolAttributes(event.bindKey), 'error.type': errorType });
    const spans = this.#spans.get(event.session);
    if (spans) this.fail(spans.session, event.session, event.error);
  }

  private sessionClosed(event: SessionClosedEvent): void {
    if (event.heldMs !== undefined)
      this.#instruments?.useTime.record(event.heldMs / 1000, poolAttributes(event.bindKey));
    const spans = this.#spans.get(event.session);
    if (!spans) return;
    this.#spans.delete(event.session);
    spans.transaction?.end();
    spans.session.end();
  }

  /** Marks a span failed with the error's class and its message, connection passwords removed. */
  private fail(span: Span, session: object, error: unknown): void {
    const secrets = (session as ObservedSession).bind.secrets;
    span.setAttribute('error.type', error instanceof Error ? error.constructor.name : typeof error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: describeError(error, secrets) });
  }
}

function poolAttributes(bindKey: string): Attributes {
  return { 'db.client.connection.pool.name': bindKey, 'alchemy.bind_key': bindKey };
}

/** The bind keys of every running module (their pools feed the gauges). */
function liveBinds(): Bind[] {
  const binds: Bind[] = [];
  for (const owner of liveOwnerList()) {
    const module = owner as unknown as { bindKeys?: string[] };
    for (const key of module.bindKeys ?? []) binds.push(owner.bindFor(key));
  }
  return binds;
}
