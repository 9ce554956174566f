import type { DiscoveryService } from '@nestjs/core';
import { ImproperConfigurationError } from '../errors/improper-configuration.error';
import { NEST_METADATA } from './nest-metadata-keys';
import { getDataSourceToken, getSessionToken } from './tokens';

const NEST_PROBES = new Set([
  'then',
  'constructor',
  'onModuleInit',
  'onApplicationBootstrap',
  'onModuleDestroy',
  'beforeApplicationShutdown',
  'onApplicationShutdown',
]);

/**
 * Stands in for the session or DataSource of a bind key no config declares, so that Nest can
 * finish wiring and the module can then name every class that asked for it.
 */
export function undeclaredBindKeyPlaceholder(bindKey: string): object {
  return new Proxy(
    {},
    {
      get(_target, property) {
        // Nest inspects every provider while it boots (its constructor, lifecycle hooks, `then`):
        // answer those with nothing, so the check in onModuleInit can name the injecting class.
        if (typeof property === 'symbol' || NEST_PROBES.has(property)) return undefined;
        throw new ImproperConfigurationError(`Bind key "${bindKey}" is not configured.`);
      },
    },
  );
}

/** Throws, naming the class and the key, if any provider or controller injects an undeclared bind key. */
export function rejectUndeclaredBindKeyInjections(
  discovery: DiscoveryService,
  undeclared: readonly string[],
  declared: readonly string[],
): void {
  if (undeclared.length === 0) return;
  const tokens = new Map<unknown, string>();
  for (const key of undeclared) {
    tokens.set(getSessionToken(key), `@InjectSession('${key}')`);
    tokens.set(getDataSourceToken(key), `@InjectDataSource('${key}')`);
  }
  const offenders: string[] = [];
  for (const wrapper of [...discovery.getProviders(), ...discovery.getControllers()]) {
    const type = wrapper.metatype;
    if (typeof type !== 'function') continue;
    const params = (Reflect.getMetadata(NEST_METADATA.constructorInjections, type) ?? []) as Array<{ param: unknown }>;
    const properties = (Reflect.getMetadata(NEST_METADATA.propertyInjections, type) ?? []) as Array<{ type: unknown }>;
    for (const token of [...params.map((p) => p.param), ...properties.map((p) => p.type)]) {
      const decorator = tokens.get(token);
      if (decorator) offenders.push(`${type.name} uses ${decorator}`);
    }
  }
  if (offenders.length > 0) {
    throw new ImproperConfigurationError(
      `${offenders.join('; ')}, but no configuration declares that bind key. ` +
        `Configured bind keys: ${declared.map((key) => `"${key}"`).join(', ')}. ` +
        'Add a config with that bindKey to AdvancedAlchemyModule.forRoot, or fix the name.',
    );
  }
}
