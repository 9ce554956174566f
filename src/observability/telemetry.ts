import { ImproperConfigurationError } from '../errors/improper-configuration.error';
import type { OpenTelemetryBridge, OpenTelemetryBridgeOptions } from './opentelemetry-bridge';
import { publishStatementText } from './publish';

export type { OpenTelemetryBridgeOptions } from './opentelemetry-bridge';

/** The `telemetry` option of `AdvancedAlchemyModule.forRoot` / `forRootAsync`. */
export type TelemetryOption = boolean | OpenTelemetryBridgeOptions;

/** A running OpenTelemetry bridge: `unregister()` stops its spans and metrics. */
export interface TelemetryRegistration {
  unregister(): void;
}

/**
 * Starts the OpenTelemetry bridge: the module's sessions, transactions and pools as spans and
 * metrics (see docs/observability.md), sent to the globally registered providers unless others
 * are given. Needs the optional peer `@opentelemetry/api`; the bridge is loaded only here, so the
 * library works without that package as long as telemetry stays off.
 */
export function registerOpenTelemetryBridge(options: OpenTelemetryBridgeOptions = {}): TelemetryRegistration {
  const bridge = new (loadBridge())(options);
  bridge.start();
  let registered = true;
  return {
    unregister: () => {
      if (!registered) return;
      registered = false;
      bridge.stop();
    },
  };
}

function loadBridge(): typeof OpenTelemetryBridge {
  try {
    require.resolve('@opentelemetry/api');
  } catch {
    throw new ImproperConfigurationError(
      'Telemetry needs the "@opentelemetry/api" package: run npm install @opentelemetry/api ' +
        '(and an OpenTelemetry SDK to send the spans and metrics somewhere), or leave the telemetry option off.',
    );
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when switched on (optional peer)
  return (require('./opentelemetry-bridge') as { OpenTelemetryBridge: typeof OpenTelemetryBridge }).OpenTelemetryBridge;
}

/** Checks the module's `telemetry` option at startup. */
export function checkTelemetryOption(value: unknown): TelemetryOption {
  if (value === undefined) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const unknown = Object.keys(value).filter((key) => key !== 'tracerProvider' && key !== 'meterProvider');
    if (unknown.length === 0) return value as OpenTelemetryBridgeOptions;
    throw new ImproperConfigurationError(
      `AdvancedAlchemyModule option telemetry has unknown field(s) ${unknown.map((key) => `"${key}"`).join(', ')}: ` +
        'it takes true, false or { tracerProvider, meterProvider }.',
    );
  }
  throw new ImproperConfigurationError(
    `AdvancedAlchemyModule option telemetry must be true, false or { tracerProvider, meterProvider }, got ${typeof value}: ` +
      'e.g. AdvancedAlchemyModule.forRoot(configs, { telemetry: true }).',
  );
}

const moduleBridges = new WeakMap<object, TelemetryRegistration>();

/** Starts the bridge for a module (`owner`) when its option asks for it. */
export function startModuleTelemetry(owner: object, option: TelemetryOption): void {
  if (option === false || moduleBridges.has(owner)) return;
  moduleBridges.set(owner, registerOpenTelemetryBridge(option === true ? {} : option));
}

/** Stops the bridge of a module, if it started one (when the module closes its engines). */
export function stopModuleTelemetry(owner: object): void {
  moduleBridges.get(owner)?.unregister();
  moduleBridges.delete(owner);
}

export { publishStatementText };
