import {
  Module,
  RequestMethod,
  type DynamicModule,
  type InjectionToken,
  type MiddlewareConsumer,
  type ModuleMetadata,
  type BeforeApplicationShutdown,
  type NestModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
  type OptionalFactoryDependency,
  type Provider,
} from '@nestjs/common';
import { APP_FILTER, DiscoveryModule, DiscoveryService, HttpAdapterHost, ModulesContainer } from '@nestjs/core';
import { DEFAULT_BIND_KEY, type AlchemyConfig } from '../config/alchemy-config';
import { normalizeConfigs } from '../config/normalize-configs';
import { SessionScopeMiddleware } from '../commit/session-scope.middleware';
import { SessionScopeInterceptor } from '../entry-points/session-scope.interceptor';
import { DatabaseUnavailableFilter } from '../commit/database-unavailable.filter';
import { RepositoryExceptionFilter } from '../service/repository-exception.filter';
import { attachEntryPoints, type AttachedEntryPoints } from '../entry-points/attach-entry-points';
import { checkEntryPoints } from '../entry-points/check-entry-points';
import { mergeEntryPointRules, rejectEntryPointConflicts } from '../entry-points/merged-entry-point-rules';
import type { EntryPointsOptions } from '../entry-points/entry-point-options';
import { UnitsOfWork } from '../entry-points/units-of-work';
import { AfterCommitEvents } from '../entry-points/after-commit-events';
import { AlchemyHealthIndicator } from '../health/alchemy-health-indicator';
import { AdvancedAlchemy } from './advanced-alchemy';
import { drainHttpServer, nodeHttpServer, trackHttpConnections } from './http-drain';
import { ALCHEMY_CONFIGS, getDataSourceToken, getSessionToken, requestedBindKeys } from './tokens';
import { rejectUndeclaredBindKeyInjections, undeclaredBindKeyPlaceholder } from './undeclared-bind-keys';
import { bindAdoptedRepositories } from '../typeorm/bind-adopted-repositories';
import { FeatureRepositoriesModule, rejectUndeclaredFeatureKeys } from '../typeorm/feature-repositories.module';
import type { FeatureEntity } from '../typeorm/feature-entities';
import { rejectUnknownEntities } from '../typeorm/session-bound-data-source';
import { typeOrmTokenProviders } from '../typeorm/typeorm-token-providers';
import { GraphqlEntryPointModule } from '../entry-points/graphql/graphql-entry-point';
import { checkTelemetryOption, type TelemetryOption } from '../observability/telemetry';
import { asyncConfigProviders, type AlchemyConfigResult, type AsyncConfigSource } from './async-config-provider';
import { joinRegistrations, REGISTRATION_ID } from './registration-assembly';
import { checkShutdownTimeout, openRegistry } from './open-registry';
import { tenancyOf } from '../tenancy/attach-tenancy';
import { CurrentTenant } from '../tenancy/current-tenant';
import { TenantMiddleware } from '../tenancy/tenant.middleware';
import type { TenancyOptions } from '../tenancy/tenancy-options';

/** This registration's own configs (each forRoot/forRootAsync module has its own). */
const REGISTRATION_CONFIGS = Symbol('nestjs-advanced-alchemy:registration-configs');
let nextRegistrationId = 1;

/** Per registry, the one module instance that installs the middleware and runs the lifecycle hooks. */
const hosts = new WeakMap<AdvancedAlchemy, AdvancedAlchemyModule>();

export interface AdvancedAlchemyModuleOptions {
  /** Make the sessions and DataSources injectable in every module. Default `true`. */
  isGlobal?: boolean;
  /**
   * Milliseconds the application's shutdown (`app.close()`, or SIGTERM with `enableShutdownHooks()`)
   * may take: requests in flight finish, further requests on open keep-alive connections are
   * answered with `Connection: close`, and whatever is still open after this long is cut and its
   * sessions rolled back, before the pools close. Default: 10000.
   */
  shutdownTimeout?: number;
  /**
   * Sessions, transactions and pools as OpenTelemetry spans and metrics (docs/observability.md):
   * `true` for the globally registered providers, or `{ tracerProvider, meterProvider }`.
   * Needs the optional peer `@opentelemetry/api`. Default `false`.
   */
  telemetry?: TelemetryOption;
  /**
   * Units of work outside HTTP routes (docs/entry-points.md): per entry point (`queues`,
   * `schedule`, `events`, `messages`, `graphql`), `false` to open none, or `{ commitMode }` to
   * replace the bind keys' commit modes there. Default: every entry point on, with each bind key's own mode.
   */
  entryPoints?: EntryPointsOptions;
  /**
   * Multi-tenancy (docs/tenancy.md): how a request's (job's, message's) tenant is resolved; the
   * bind keys with a `tenancy` strategy then work in that tenant's schema or database.
   */
  tenancy?: TenancyOptions;
}

export interface AdvancedAlchemyModuleAsyncOptions extends AdvancedAlchemyModuleOptions, AsyncConfigSource {}

/**
 * The NestJS counterpart of the Flask extension: one DataSource per bind key, a session per
 * request and bind key, ended by the commit mode when the response leaves.
 */
@Module({})
export class AdvancedAlchemyModule
  implements NestModule, OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  #entryPoints?: AttachedEntryPoints;

  constructor(
    private readonly alchemy: AdvancedAlchemy,
    private readonly discovery: DiscoveryService,
    private readonly adapterHost: HttpAdapterHost,
    units: UnitsOfWork,
    scopeInterceptor: SessionScopeInterceptor,
  ) {
    // Several forRoot/forRootAsync modules share one registry: the first one hosts it.
    if (!hosts.has(alchemy)) {
      hosts.set(alchemy, this);
      this.#entryPoints = attachEntryPoints(discovery, units, scopeInterceptor);
    }
  }

  private get isHost(): boolean {
    return hosts.get(this.alchemy) === this;
  }

  /** Configure with literal configs; they are checked at once (a bad one fails before the app starts). */
  static forRoot(configs: AlchemyConfigResult, options: AdvancedAlchemyModuleOptions = {}): DynamicModule {
    // Each call is a registration of its own; several with distinct bind keys join one registry.
    const normalized = normalizeConfigs(configs);
    const declared = normalized.map((config) => config.bindKey);
    return this.build(
      [{ provide: REGISTRATION_CONFIGS, useValue: normalized }],
      [],
      declared,
      options,
      // An undeclared 'default' is only there because it is the decorators' default: leave
      // @nestjs/typeorm's default tokens (the DataSource class) to a TypeOrmModule.forRoot beside it.
      (key) => declared.includes(key) || key !== DEFAULT_BIND_KEY,
    );
  }

  /**
   * Repositories of `entities` on a bind key, under `@nestjs/typeorm`'s tokens: inject them with
   * `@InjectRepository(Entity, bindKey)`. Each call runs in the current request's session for that
   * bind key. With `autoLoadEntities` on the bind key's config, the entities join its DataSource.
   */
  static forFeature(entities: FeatureEntity[] = [], bindKey: string = DEFAULT_BIND_KEY): DynamicModule {
    return FeatureRepositoriesModule.register(entities, bindKey);
  }

  /** Configure from other providers (e.g. `ConfigService`); the configs are checked when the factory resolves. */
  static forRootAsync(options: AdvancedAlchemyModuleAsyncOptions): DynamicModule {
    const id = nextRegistrationId++;
    // A DataSource injected from @nestjs/typeorm's token (TypeOrmModule's own) stays registered by
    // TypeOrmModule: providing the same token here would make the factory depend on itself.
    const injected = new Set((options.inject ?? []).map((dependency) => tokenOf(dependency)));
    const named = options.name ?? options.bindKey;
    return this.build(
      [...asyncConfigProviders(options, REGISTRATION_CONFIGS, id), ...(options.extraProviders ?? [])],
      options.imports ?? [],
      // The bind key said outside the factory is known now: its tokens exist before the factory runs.
      [named ?? DEFAULT_BIND_KEY],
      options,
      (key) => !injected.has(getDataSourceToken(key)) && (named === undefined || key !== DEFAULT_BIND_KEY),
      id,
    );
  }

  private static build(
    configProviders: Provider[],
    imports: NonNullable<ModuleMetadata['imports']>,
    knownKeys: string[],
    moduleOptions: AdvancedAlchemyModuleOptions,
    providesTypeOrmTokens: (bindKey: string) => boolean,
    id: number = nextRegistrationId++,
  ): DynamicModule {
    const telemetry = moduleOptions.telemetry === undefined ? undefined : checkTelemetryOption(moduleOptions.telemetry);
    const entryPoints = checkEntryPoints(moduleOptions.entryPoints);
    const keys = [...new Set([...knownKeys, ...requestedBindKeys])];
    const typeOrmKeys = keys.filter(providesTypeOrmTokens);
    const perKey: Provider[] = keys.flatMap((key) => [
      ...(typeOrmKeys.includes(key) ? typeOrmTokenProviders(key) : []),
      {
        provide: getSessionToken(key),
        useFactory: (alchemy: AdvancedAlchemy) =>
          alchemy.bindKeys.includes(key) ? alchemy.scopedSession(key) : undeclaredBindKeyPlaceholder(key),
        inject: [AdvancedAlchemy],
      },
    ]);
    // Every forRoot/forRootAsync of the application hands its configs in; all get one registry.
    const alchemyProvider: Provider = {
      provide: AdvancedAlchemy,
      useFactory: (configs: AlchemyConfig[], modules: ModulesContainer) =>
        joinRegistrations(
          modules,
          AdvancedAlchemyModule,
          {
            id,
            configs,
            typeOrmTokenKeys: typeOrmKeys,
            shutdownTimeoutMs: moduleOptions.shutdownTimeout,
            telemetry,
            tenancy: moduleOptions.tenancy,
          },
          (registrations) => openRegistry(modules, AdvancedAlchemyModule, registrations),
        ),
      inject: [REGISTRATION_CONFIGS, ModulesContainer],
    };
    checkShutdownTimeout(moduleOptions.shutdownTimeout);
    return {
      module: AdvancedAlchemyModule,
      global: moduleOptions.isGlobal ?? true,
      imports: [...imports, DiscoveryModule, GraphqlEntryPointModule.register(moduleOptions.entryPoints?.graphql)],
      providers: [
        { provide: REGISTRATION_ID, useValue: id },
        ...configProviders,
        {
          provide: ALCHEMY_CONFIGS,
          useFactory: (alchemy: AdvancedAlchemy) => alchemy.config,
          inject: [AdvancedAlchemy],
        },
        alchemyProvider,
        {
          provide: UnitsOfWork,
          // Every import's units read the rules all the imports of the application state (merged, checked).
          useFactory: (alchemy: AdvancedAlchemy, configs: AlchemyConfig[]) =>
            new UnitsOfWork(alchemy, mergeEntryPointRules(alchemy, configs, entryPoints, moduleOptions.entryPoints)),
          inject: [AdvancedAlchemy, REGISTRATION_CONFIGS],
        },
        AfterCommitEvents,
        SessionScopeMiddleware,
        TenantMiddleware,
        CurrentTenant,
        SessionScopeInterceptor,
        AlchemyHealthIndicator,
        { provide: APP_FILTER, useClass: DatabaseUnavailableFilter },
        { provide: APP_FILTER, useClass: RepositoryExceptionFilter },
        ...perKey,
      ],
      exports: [
        ALCHEMY_CONFIGS,
        AdvancedAlchemy,
        AfterCommitEvents,
        AlchemyHealthIndicator,
        CurrentTenant,
        ...perKey.map((provider) => (provider as { provide: InjectionToken }).provide),
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    if (!this.isHost) return;
    // The tenant is resolved inside the request's scope, before any guard, handler or statement.
    const middleware = tenancyOf(this.alchemy) ? [SessionScopeMiddleware, TenantMiddleware] : [SessionScopeMiddleware];
    consumer.apply(...middleware).forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }

  async onModuleInit(): Promise<void> {
    if (!this.isHost) return;
    this.#entryPoints?.attachLate();
    const declared = this.alchemy.bindKeys;
    const undeclared = [...requestedBindKeys].filter((key) => !declared.includes(key));
    try {
      rejectEntryPointConflicts(this.alchemy);
      rejectUndeclaredBindKeyInjections(this.discovery, undeclared, declared);
      rejectUndeclaredFeatureKeys(this.alchemy);
      rejectUnknownEntities(this.alchemy.bindKeys.map((key) => this.alchemy.bind(key)));
      bindAdoptedRepositories(this.alchemy, this.discovery);
    } catch (error) {
      // The application will not start, so nobody would close the pools already open.
      await this.alchemy.closeEngines(0);
      this.#entryPoints?.forget();
      throw error;
    }
  }

  /** Watches the HTTP server's connections, so that a drain at shutdown reaches the requests in flight. */
  onApplicationBootstrap(): void {
    if (!this.isHost) return;
    const server = nodeHttpServer(this.adapterHost.httpAdapter?.getHttpServer());
    if (server) trackHttpConnections(server);
  }

  /** Before Nest closes the HTTP server: make it finish within the shutdown timeout. */
  beforeApplicationShutdown(): void {
    if (!this.isHost) return;
    this.alchemy.beginShutdown();
    const server = nodeHttpServer(this.adapterHost.httpAdapter?.getHttpServer());
    if (server) drainHttpServer(server, this.alchemy.shutdownRemainingMs());
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.isHost) return;
    await this.alchemy.closeEngines(this.alchemy.shutdownRemainingMs());
    this.#entryPoints?.forget();
  }
}

function tokenOf(dependency: InjectionToken | OptionalFactoryDependency): unknown {
  return typeof dependency === 'object' && dependency !== null && 'token' in dependency ? dependency.token : dependency;
}
