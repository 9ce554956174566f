import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { context } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { ALCHEMY_CHANNELS, registerOpenTelemetryBridge } from 'nestjs-advanced-alchemy';
import diagnosticsChannel from 'node:diagnostics_channel';
import { oursVariant } from './ours';
import type { Variant } from './variant';

/** `ours` with a listener on every channel of the module that only counts: the cost of publishing. */
export function oursDiagnosticsSubscriberVariant(): Variant {
  const ours = oursVariant();
  return {
    ...ours,
    name: 'ours+diagnostics-subscriber',
    createApp(connectionString) {
      let events = 0;
      for (const name of Object.values(ALCHEMY_CHANNELS)) diagnosticsChannel.subscribe(name, () => events++);
      return ours.createApp(connectionString);
    },
  };
}

/** Spans are made, processed and handed to an exporter that drops them (what a real exporter gets). */
const droppingExporter: SpanExporter = {
  export: (_spans, done) => done({ code: 0 }),
  shutdown: () => Promise.resolve(),
};

/** Metrics are recorded into the SDK's aggregations; nobody collects them during the run. */
class IdleReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** `ours` with the OpenTelemetry bridge on the real SDKs (AsyncLocalStorage context, spans and metrics). */
export function oursOtelVariant(): Variant {
  const ours = oursVariant();
  return {
    ...ours,
    name: 'ours+otel',
    createApp(connectionString) {
      context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
      registerOpenTelemetryBridge({
        tracerProvider: new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(droppingExporter)] }),
        meterProvider: new MeterProvider({ readers: [new IdleReader()] }),
      });
      return ours.createApp(connectionString);
    },
  };
}
