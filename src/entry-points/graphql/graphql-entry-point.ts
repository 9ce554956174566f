import { Injectable, Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, ModuleRef } from '@nestjs/core';
import { AdvancedAlchemy } from '../../core/advanced-alchemy';
import { NEST_METADATA } from '../../core/nest-metadata-keys';
import type { EntryPointRule } from '../entry-point-options';
import { UnitsOfWork } from '../units-of-work';
import { apolloOperationPlugin } from './apollo-operation-plugin';
import { graphqlScopeInterceptor } from './graphql-scope.interceptor';
import { setGraphqlRule } from './graphql-rules';
import { mercuriusOperationHooks } from './mercurius-operation-hooks';
import { runNestedFieldsInOperationScope } from './nested-field-scope';
import { OperationUnit } from './operation-unit';
import { eventUnitsOnOperation, type OnOperation } from './subscription-events';
import { executeInUnits, subscribeWithUnits } from './websocket-operations';

type Execute = (args: unknown) => unknown;

/** What the module reads of the `graphql-ws` entry of an Apollo driver's `subscriptions` option. */
interface GraphqlWsConfig {
  onOperation?: OnOperation;
  execute?: Execute;
  subscribe?: Execute;
}

// Read without importing @nestjs/graphql (an optional peer): its resolver metadata key, and the
// name of the token its GraphQLModule provides the driver under.
const RESOLVER_TYPE = 'graphql:resolver_type';
const DRIVER_TOKEN_NAME = 'AbstractGraphQLDriver';

/** The methods of a `@nestjs/graphql` driver the adapter wraps. */
interface GraphqlDriver {
  mergeDefaultOptions(options: Record<string, unknown>, ...rest: unknown[]): Promise<Record<string, unknown>>;
  start(options: Record<string, unknown>): Promise<void>;
  /** Mercurius: the Fastify instance; Apollo: the Apollo server. */
  readonly instance?: unknown;
}

const wrapped = new WeakSet<object>();

/**
 * Makes every GraphQL operation a unit of work when the application serves GraphQL: an Apollo
 * Server plugin (or Mercurius hooks) per operation, and the scope interceptor first on every
 * resolver class. Does nothing in an application without `GraphQLModule`. A global module, so its
 * `onModuleInit` runs before GraphQLModule builds its schema and starts its server.
 */
@Injectable()
class GraphqlEntryPoint implements OnModuleInit {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly moduleRef: ModuleRef,
  ) {}

  onModuleInit(): void {
    const driver = this.findDriver();
    if (driver === undefined) return;
    const alchemy = this.moduleRef.get(AdvancedAlchemy, { strict: false });
    const units = this.moduleRef.get(UnitsOfWork, { strict: false });
    if (!units.isOn('graphql')) return; // another AdvancedAlchemyModule import said entryPoints.graphql: false
    const openUnit = (): OperationUnit => new OperationUnit(units);
    setGraphqlRule(alchemy, openUnit);
    this.wrapDriver(driver, openUnit);
    this.attachToResolvers();
  }

  private findDriver(): GraphqlDriver | undefined {
    for (const wrapper of this.discovery.getProviders()) {
      const token = wrapper.token;
      if (typeof token === 'function' && token.name === DRIVER_TOKEN_NAME && wrapper.instance) {
        return wrapper.instance as GraphqlDriver;
      }
    }
    return undefined;
  }

  private wrapDriver(driver: GraphqlDriver, openUnit: () => OperationUnit): void {
    if (wrapped.has(driver)) return;
    wrapped.add(driver);
    const mercurius = /mercurius/i.test(driver.constructor.name);
    const start = driver.start.bind(driver);
    driver.start = async (options) => {
      runNestedFieldsInOperationScope(options.schema);
      await start(options);
      if (mercurius) mercuriusOperationHooks(driver.instance, openUnit);
    };
    if (mercurius) return;
    const merge = driver.mergeDefaultOptions.bind(driver);
    driver.mergeDefaultOptions = async (options, ...rest) => {
      const merged = await merge(options, ...rest);
      const plugins = Array.isArray(merged.plugins) ? (merged.plugins as unknown[]) : [];
      return {
        ...merged,
        ...withEventUnits(merged, openUnit),
        plugins: [...plugins, apolloOperationPlugin(openUnit)],
      };
    };
  }

  private attachToResolvers(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const type = wrapper.metatype;
      if (typeof type !== 'function' || !resolvesRootFields(type)) continue;
      const existing = (Reflect.getMetadata(NEST_METADATA.interceptors, type) ?? []) as unknown[];
      if (existing.includes(graphqlScopeInterceptor)) continue;
      Reflect.defineMetadata(NEST_METADATA.interceptors, [graphqlScopeInterceptor, ...existing], type);
    }
  }
}

/**
 * The `subscriptions` option of an Apollo driver serving subscriptions over graphql-ws, with the hook
 * that runs each event in a unit of its own (subscription-events.ts); nothing when it serves none.
 */
function withEventUnits(
  options: Record<string, unknown>,
  openUnit: () => OperationUnit,
): { subscriptions?: Record<string, unknown> } {
  const subscriptions =
    (options.subscriptions as Record<string, unknown> | undefined) ??
    (options.installSubscriptionHandlers === true ? { 'graphql-ws': {} } : undefined);
  const graphqlWs = subscriptions?.['graphql-ws'];
  if (subscriptions === undefined || graphqlWs === undefined || graphqlWs === false) return {};
  const config = graphqlWs === true ? {} : (graphqlWs as GraphqlWsConfig);
  const onOperation = eventUnitsOnOperation(openUnit, config.onOperation);
  // Nest passes the driver's `execute`/`subscribe` (else graphql-js') to graphql-ws; these replace them there.
  // graphql is there: the Apollo driver needs it (it is loaded only now, an optional peer of the module).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const graphqlJs = require('graphql') as { execute: Execute; subscribe: Execute };
  const execute = executeInUnits(openUnit, config.execute ?? (subscriptions.execute as Execute) ?? graphqlJs.execute);
  const subscribe = subscribeWithUnits(
    openUnit,
    config.subscribe ?? (subscriptions.subscribe as Execute) ?? graphqlJs.subscribe,
  );
  return { subscriptions: { ...subscriptions, 'graphql-ws': { ...config, onOperation, execute, subscribe } } };
}

/** Whether a class (or a class it extends) has `@Query()` or `@Mutation()` methods. */
function resolvesRootFields(type: object): boolean {
  for (
    let prototype: object | null | undefined = (type as { prototype?: object }).prototype;
    prototype !== undefined && prototype !== null && prototype !== Object.prototype;
    prototype = Object.getPrototypeOf(prototype) as object | null | undefined
  ) {
    const current = prototype;
    const found = Object.getOwnPropertyNames(current).some((name) => {
      const member = Object.getOwnPropertyDescriptor(current, name)?.value as unknown;
      if (typeof member !== 'function') return false;
      const kind: unknown = Reflect.getMetadata(RESOLVER_TYPE, member);
      return kind === 'Query' || kind === 'Mutation' || kind === 'Subscription';
    });
    if (found) return true;
  }
  return false;
}

/** The GraphQL adapter as a module of its own (global: see GraphqlEntryPoint). */
@Module({})
export class GraphqlEntryPointModule {
  /** `rule` was checked with the other entry points' (check-entry-points.ts); `false` opens no unit. */
  static register(rule: EntryPointRule | false | undefined): DynamicModule {
    if (rule === false) return { module: GraphqlEntryPointModule };
    return {
      module: GraphqlEntryPointModule,
      global: true,
      imports: [DiscoveryModule],
      providers: [GraphqlEntryPoint],
    };
  }
}
