import {
  Module,
  RequestMethod,
  type DynamicModule,
  type InjectionToken,
  type MiddlewareConsumer,
  type ModuleMetadata,
  type BeforeApplicationShutdown,
  type NestModule,
  type OnApplicationShutdown,
  type OnModuleInit,
  type OptionalFactoryDependency,
  type Provider,
} from '@nestjs/common';
import { APP_FILTER, DiscoveryModule, DiscoveryService, HttpAdapterHost, ModulesContainer } from '@nestjs/core';
import { DEFAULT_BIND_KEY, type AlchemyConfig, type AlchemyConfigOptions } from '../config/alchemy-config';
import { normalizeConfigs } from '../config/normalize-configs';
import { SessionScopeMiddleware } from '../commit/session-scope.middleware';
import { SessionScopeInterceptor } from '../commit/session-scope.interceptor';
import { DatabaseUnavailableFilter } from '../commit/database-unavailable.filter';
import { RepositoryExceptionFilter } from '../service/repository-exception.filter';
import { attachScopeToMessageHandlers } from '../commit/attach-scope-to-message-handlers';
import { AlchemyHealthIndicator } from '../health/alchemy-health-indicator';
import { ImproperConfigurationError } from '../errors/improper-configuration.error';
import { AdvancedAlchemy, DEFAULT_SHUTDOWN_TIMEOUT_MS } from './advanced-alchemy';
import { drainHttpServer, nodeHttpServer } from './http-drain';
import { ALCHEMY_CONFIGS, getDataSourceToken, getSessionToken, requestedBindKeys } from './tokens';
import { rejectUndeclaredBindKeyInjections, undeclaredBindKeyPlaceholder } from './undeclared-bind-keys';
import { bindAdoptedRepositories } from '../typeorm/bind-adopted-repositories';
import { FeatureRepositoriesModule, rejectUndeclaredFeatureKeys } from '../typeorm/feature-repositories.module';
import { checkRegistrations } from '../typeorm/registration-checks';
import type { FeatureEntity } from '../typeorm/feature-entities';
import { rejectUnknownEntities } from '../typeorm/session-bound-data-source';
import { typeOrmTokenProviders } from '../typeorm/typeorm-token-providers';
import type { EntryPointsOptions } from '../entry-points/entry-point-options';
import { GraphqlEntryPointModule } from '../entry-points/graphql/graphql-entry-point';
import { checkTelemetryOption, startModuleTelemetry, type TelemetryOption } from '../observability/telemetry';

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
   * A rule per entry point besides plain HTTP routes (docs/graphql.md): `false` opens no unit of
   * work there, `{ commitMode }` replaces the bind keys' own commit modes for its units.
   */
  entryPoints?: EntryPointsOptions;
}

export interface AdvancedAlchemyModuleAsyncOptions extends AdvancedAlchemyModuleOptions {
  imports?: ModuleMetadata['imports'];
  inject?: Array<InjectionToken | OptionalFactoryDependency>;
  useFactory: (
    ...dependencies: never[]
  ) => AlchemyConfigOptions | AlchemyConfigOptions[] | Promise<AlchemyConfigOptions | AlchemyConfigOptions[]>;
}

/**
 * The NestJS counterpart of the Flask extension: one DataSource per bind key, a session per
 * request and bind key, ended by the commit mode when the response leaves.
 */
@Module({})
export class AdvancedAlchemyModule
  implements NestModule, OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown
{
  constructor(
    private readonly alchemy: AdvancedAlchemy,
    private readonly discovery: DiscoveryService,
    private readonly adapterHost: HttpAdapterHost,
    scopeInterceptor: SessionScopeInterceptor,
  ) {
    attachScopeToMessageHandlers(discovery, scopeInterceptor);
  }

  /** Configure with literal configs; they are checked at once (a bad one fails before the app starts). */
  static forRoot(
    configs: AlchemyConfigOptions | AlchemyConfigOptions[],
    options: AdvancedAlchemyModuleOptions = {},
  ): DynamicModule {
    const normalized = normalizeConfigs(configs);
    const declared = normalized.map((config) => config.bindKey);
    return this.build(
      { provide: ALCHEMY_CONFIGS, useValue: normalized },
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
    const useFactory = options.useFactory as (...dependencies: unknown[]) => unknown;
    // A DataSource injected from @nestjs/typeorm's token (TypeOrmModule's own) stays registered by
    // TypeOrmModule: providing the same token here would make the factory depend on itself.
    const injected = new Set((options.inject ?? []).map((dependency) => tokenOf(dependency)));
    return this.build(
      {
        provide: ALCHEMY_CONFIGS,
        useFactory: async (...dependencies: unknown[]) => normalizeConfigs(await useFactory(...dependencies)),
        inject: options.inject ?? [],
      },
      options.imports ?? [],
      ['default'],
      options,
      (key) => !injected.has(getDataSourceToken(key)),
    );
  }

  private static build(
    configProvider: Provider,
    imports: NonNullable<ModuleMetadata['imports']>,
    knownKeys: string[],
    moduleOptions: AdvancedAlchemyModuleOptions,
    providesTypeOrmTokens: (bindKey: string) => boolean,
  ): DynamicModule {
    const shutdownTimeoutMs = checkShutdownTimeout(moduleOptions.shutdownTimeout);
    const telemetry = checkTelemetryOption(moduleOptions.telemetry);
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
    const alchemyProvider: Provider = {
      provide: AdvancedAlchemy,
      useFactory: async (configs: AlchemyConfig[], modules: ModulesContainer) => {
        checkRegistrations(modules, AdvancedAlchemyModule, configs, typeOrmKeys);
        const alchemy = new AdvancedAlchemy(configs, { shutdownTimeoutMs });
        startModuleTelemetry(alchemy, telemetry);
        await alchemy.initialize();
        return alchemy;
      },
      inject: [ALCHEMY_CONFIGS, ModulesContainer],
    };
    return {
      module: AdvancedAlchemyModule,
      global: moduleOptions.isGlobal ?? true,
      imports: [...imports, DiscoveryModule, GraphqlEntryPointModule.register(moduleOptions.entryPoints?.graphql)],
      providers: [
        configProvider,
        alchemyProvider,
        SessionScopeMiddleware,
        SessionScopeInterceptor,
        AlchemyHealthIndicator,
        { provide: APP_FILTER, useClass: DatabaseUnavailableFilter },
        { provide: APP_FILTER, useClass: RepositoryExceptionFilter },
        ...perKey,
      ],
      exports: [
        ALCHEMY_CONFIGS,
        AdvancedAlchemy,
        AlchemyHealthIndicator,
        ...perKey.map((provider) => (provider as { provide: InjectionToken }).provide),
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(SessionScopeMiddleware).forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }

  async onModuleInit(): Promise<void> {
    const declared = this.alchemy.bindKeys;
    const undeclared = [...requestedBindKeys].filter((key) => !declared.includes(key));
    try {
      rejectUndeclaredBindKeyInjections(this.discovery, undeclared, declared);
      rejectUndeclaredFeatureKeys(this.alchemy);
      rejectUnknownEntities(this.alchemy.bindKeys.map((key) => this.alchemy.bind(key)));
      bindAdoptedRepositories(this.alchemy, this.discovery);
    } catch (error) {
      // The application will not start, so nobody would close the pools already open.
      await this.alchemy.closeEngines(0);
      throw error;
    }
  }

  /** Before Nest closes the HTTP server: make it finish within the shutdown timeout. */
  beforeApplicationShutdown(): void {
    this.alchemy.beginShutdown();
    const server = nodeHttpServer(this.adapterHost.httpAdapter?.getHttpServer());
    if (server) drainHttpServer(server, this.alchemy.shutdownRemainingMs());
  }

  async onApplicationShutdown(): Promise<void> {
    await this.alchemy.closeEngines(this.alchemy.shutdownRemainingMs());
  }
}

function checkShutdownTimeout(value: unknown): number {
  if (value === undefined) return DEFAULT_SHUTDOWN_TIMEOUT_MS;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new ImproperConfigurationError(
      `AdvancedAlchemyModule option shutdownTimeout must be whole milliseconds (0 or more), got ${String(value)}: ` +
        'e.g. AdvancedAlchemyModule.forRoot(configs, { shutdownTimeout: 10000 }).',
    );
  }
  return value;
}

function tokenOf(dependency: InjectionToken | OptionalFactoryDependency): unknown {
  return typeof dependency === 'object' && dependency !== null && 'token' in dependency ? dependency.token : dependency;
}
