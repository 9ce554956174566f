import type { Type } from '@nestjs/common';
import type { ModulesContainer } from '@nestjs/core';
import { ImproperConfigurationError } from '../errors/improper-configuration.error';
import { announceConfigs } from '../migrations/config-observer';
import { startModuleTelemetry } from '../observability/telemetry';
import { attachTenancy } from '../tenancy/attach-tenancy';
import { checkRegistrations } from '../typeorm/registration-checks';
import { registerTypeOrmFeatureEntities } from '../typeorm/typeorm-feature-scan';
import { AdvancedAlchemy, DEFAULT_SHUTDOWN_TIMEOUT_MS } from './advanced-alchemy';
import { rejectRepeatedBindKeys, type Registration } from './registration-assembly';

/** Opens the one registry of every registration's bind keys, after the checks that need them all. */
export async function openRegistry(
  modules: ModulesContainer,
  rootModule: Type,
  registrations: Registration[],
): Promise<AdvancedAlchemy> {
  rejectRepeatedBindKeys(modules, rootModule, registrations);
  const configs = registrations.flatMap((registration) => registration.configs);
  checkRegistrations(
    modules,
    rootModule,
    configs,
    registrations.flatMap((registration) => registration.typeOrmTokenKeys),
  );
  registerTypeOrmFeatureEntities(modules);
  const shutdownTimeoutMs = checkShutdownTimeout(
    registrations.find((registration) => registration.shutdownTimeoutMs !== undefined)?.shutdownTimeoutMs,
  );
  const alchemy = new AdvancedAlchemy(configs, { shutdownTimeoutMs });
  const telemetry = registrations.find((registration) => registration.telemetry !== undefined)?.telemetry;
  startModuleTelemetry(alchemy, telemetry ?? false);
  announceConfigs(configs);
  await alchemy.initialize();
  try {
    const tenancy = registrations.find((registration) => registration.tenancy !== undefined)?.tenancy;
    attachTenancy(
      alchemy,
      alchemy.bindKeys.map((key) => alchemy.bind(key)),
      tenancy,
    );
  } catch (error) {
    await alchemy.closeEngines(0);
    throw error;
  }
  return alchemy;
}

/** The `shutdownTimeout` option, checked: whole milliseconds, 10 s when not given. */
export function checkShutdownTimeout(value: unknown): number {
  if (value === undefined) return DEFAULT_SHUTDOWN_TIMEOUT_MS;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new ImproperConfigurationError(
      `AdvancedAlchemyModule option shutdownTimeout must be whole milliseconds (0 or more), got ${String(value)}: ` +
        'e.g. AdvancedAlchemyModule.forRoot(configs, { shutdownTimeout: 10000 }).',
    );
  }
  return value;
}
