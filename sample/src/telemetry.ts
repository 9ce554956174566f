import { context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';

/**
 * With OTEL_EXPORTER_OTLP_ENDPOINT set (e.g. http://localhost:4318), sends the HTTP server spans, the
 * module's `db.session` / `db.transaction` spans inside them and its metrics there over OTLP/HTTP.
 * Imported by main.ts before anything loads `http`, so the HTTP instrumentation sees every request.
 * Returns whether telemetry is on (the module's `telemetry` option follows it).
 */
export function startTelemetry(): boolean {
  if (!process.env.OTEL_EXPORTER_OTLP_ENDPOINT) return false;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())] });
  trace.setGlobalTracerProvider(tracerProvider);
  const meterProvider = new MeterProvider({
    readers: [new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter(), exportIntervalMillis: 10_000 })],
  });
  metrics.setGlobalMeterProvider(meterProvider);
  registerInstrumentations({ instrumentations: [new HttpInstrumentation()], tracerProvider, meterProvider });
  const flush = (): void => void Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]);
  process.once('beforeExit', flush);
  return true;
}

export const telemetryEnabled = startTelemetry();
