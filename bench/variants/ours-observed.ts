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

/**
 * `ours` with the OpenTelemetry bridge on the real SDKs: AsyncLocalStorage context, spans handed to an
 * exporter that drops them (what a real exporter is given), metrics aggregated and never collected.
 * The SDKs are loaded here only, so the other variants' processes do not carry them.
 */
export function oursOtelVariant(): Variant {
  const ours = oursVariant();
  return {
    ...ours,
    name: 'ours+otel',
    async createApp(connectionString) {
      const { context } = await import('@opentelemetry/api');
      const { AsyncLocalStorageContextManager } = await import('@opentelemetry/context-async-hooks');
      const { MeterProvider, MetricReader } = await import('@opentelemetry/sdk-metrics');
      const { BasicTracerProvider, SimpleSpanProcessor } = await import('@opentelemetry/sdk-trace-base');
      class IdleReader extends MetricReader {
        protected onForceFlush(): Promise<void> {
          return Promise.resolve();
        }
        protected onShutdown(): Promise<void> {
          return Promise.resolve();
        }
      }
      context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
      registerOpenTelemetryBridge({
        tracerProvider: new BasicTracerProvider({
          spanProcessors: [
            new SimpleSpanProcessor({ export: (_spans, done) => done({ code: 0 }), shutdown: () => Promise.resolve() }),
          ],
        }),
        meterProvider: new MeterProvider({ readers: [new IdleReader()] }),
      });
      return ours.createApp(connectionString);
    },
  };
}
