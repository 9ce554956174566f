import type { Type } from '@nestjs/common';
import type { ModulesContainer } from '@nestjs/core';
import type { AlchemyConfig } from '../config/alchemy-config';
import { ImproperConfigurationError } from '../errors/improper-configuration.error';
import { NEST_METADATA } from './nest-metadata-keys';
import type { TelemetryOption } from '../observability/telemetry';
import type { TenancyOptions } from '../tenancy/tenancy-options';

/** What one `forRoot`/`forRootAsync` call brings: its configs, once resolved. */
export interface Registration {
  /** Unique per call: it keeps two calls with equal options two modules, so both are seen. */
  readonly id: number;
  readonly configs: readonly AlchemyConfig[];
  readonly typeOrmTokenKeys: readonly string[];
  readonly shutdownTimeoutMs?: number;
  readonly telemetry?: TelemetryOption;
  readonly tenancy?: TenancyOptions;
}

/** Marks the dynamic module of a registration, so its import sites can be named. */
export const REGISTRATION_ID = Symbol('nestjs-advanced-alchemy:registration-id');

/** The registrations of one application, joined into one registry once all of them resolved. */
class Assembly<Result> {
  readonly #received: Registration[] = [];
  readonly #done: Promise<Result>;
  #resolve!: (registrations: Registration[]) => void;

  constructor(
    readonly expected: number,
    build: (registrations: Registration[]) => Promise<Result>,
  ) {
    this.#done = new Promise<Registration[]>((resolve) => (this.#resolve = resolve)).then(build);
  }

  add(registration: Registration): Promise<Result> {
    if (!this.#received.some((received) => received.id === registration.id)) this.#received.push(registration);
    if (this.#received.length === this.expected) {
      this.#resolve([...this.#received].sort((a, b) => a.id - b.id));
    }
    return this.#done;
  }
}

const assemblies = new WeakMap<ModulesContainer, Assembly<unknown>>();

/**
 * Joins this application's registrations: each `forRoot`/`forRootAsync` module hands in its configs,
 * and all of them get the one registry `build` makes from every registration, once the last arrives.
 * (Nest resolves the modules' providers concurrently, so each waits for the others here.)
 */
export function joinRegistrations<Result>(
  modules: ModulesContainer,
  rootModule: Type,
  registration: Registration,
  build: (registrations: Registration[]) => Promise<Result>,
): Promise<Result> {
  let assembly = assemblies.get(modules) as Assembly<Result> | undefined;
  if (!assembly) {
    const expected = [...modules.values()].filter((module) => module.metatype === rootModule).length;
    assembly = new Assembly(expected, build);
    assemblies.set(modules, assembly as Assembly<unknown>);
  }
  return assembly.add(registration);
}

/** Refuses a bind key declared by two registrations, naming where each is imported. */
export function rejectRepeatedBindKeys(
  modules: ModulesContainer,
  rootModule: Type,
  registrations: readonly Registration[],
): void {
  const owner = new Map<string, Registration>();
  for (const registration of registrations) {
    for (const config of registration.configs) {
      const first = owner.get(config.bindKey);
      if (!first) {
        owner.set(config.bindKey, registration);
        continue;
      }
      const sites = [first, registration].map((each) => importSites(modules, each.id));
      throw new ImproperConfigurationError(
        `Bind key "${config.bindKey}" is registered twice: by ${rootModule.name}.forRoot/forRootAsync ` +
          `imported in ${sites[0]} and again in ${sites[1]}. ${rootModule.name} may be registered several times ` +
          'with distinct bind keys (the data source name, `name` or `bindKey`), each once: remove one of them, ' +
          `or give it another name; feature modules import ${rootModule.name}.forFeature([Entity, …], bindKey) ` +
          'for their repositories.',
      );
    }
  }
}

/** The modules whose `imports` hold the dynamic module of registration `id`. */
function importSites(modules: ModulesContainer, id: number): string {
  const names = new Set<string>();
  for (const module of modules.values()) {
    const imports = (Reflect.getMetadata(NEST_METADATA.moduleImports, module.metatype) as unknown[] | undefined) ?? [];
    if (imports.some((imported) => registrationIdOf(imported) === id)) names.add(module.metatype.name);
  }
  return names.size > 0 ? [...names].join(' and ') : 'a module built at run time';
}

function registrationIdOf(imported: unknown): number | undefined {
  if (typeof imported !== 'object' || imported === null) return undefined;
  const providers = (imported as { providers?: unknown[] }).providers ?? [];
  for (const provider of providers) {
    if (
      typeof provider === 'object' &&
      provider !== null &&
      (provider as { provide?: unknown }).provide === REGISTRATION_ID
    ) {
      return (provider as { useValue: number }).useValue;
    }
  }
  return undefined;
}
