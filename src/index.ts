export { AdvancedAlchemyModule } from './core/advanced-alchemy.module';
export type { AdvancedAlchemyModuleAsyncOptions, AdvancedAlchemyModuleOptions } from './core/advanced-alchemy.module';
export { AdvancedAlchemy } from './core/advanced-alchemy';
export { getDatabaseMigrationPlugin } from './core/get-database-migration-plugin';
export { InjectDataSource } from './core/inject-data-source.decorator';
export { getDataSourceToken, getSessionToken, ALCHEMY_CONFIGS } from './core/tokens';

export { AlchemyConfig, DEFAULT_BIND_KEY } from './config/alchemy-config';
export type { AlchemyConfigOptions, EntityList } from './config/alchemy-config';
export { COMMIT_MODES, commitsOnStatus } from './config/commit-mode';
export type { CommitMode } from './config/commit-mode';
export { ISOLATION_LEVELS } from './config/engine-config';
export type { EchoOption, EngineConfig, IsolationLevel } from './config/engine-config';
export type { SessionConfig } from './config/session-config';
export type { MigrationConfig } from './config/migration-config';
export { redactConnectionString } from './config/connection-string';

export { SessionScopeInterceptor } from './commit/session-scope.interceptor';
export { holdResponseUntilSessionsEnd, COMMIT_FAILED_BODY } from './commit/response-gate';

export { AlchemyHealthIndicator } from './health/alchemy-health-indicator';
export type { AlchemyHealthResult, PingCheckOptions } from './health/alchemy-health-indicator';

export { AlchemyServiceMixin, AlchemyService } from './service/json/alchemy-service.mixin';
export type { Constructor, Jsonify, WithJsonify } from './service/json/alchemy-service.mixin';
export { JsonResponse } from './service/json/json-response';
export type { JsonifyOptions } from './service/json/json-response';
export { toJsonValue } from './service/json/to-json-value';
export type { JsonValue } from './service/json/to-json-value';

export type { Session } from './session/session';
export { InjectSession } from './session/inject-session.decorator';

export { AdvancedAlchemyError } from './errors/advanced-alchemy.error';
export { ImproperConfigurationError } from './errors/improper-configuration.error';
export { SessionScopeError } from './errors/session-scope.error';
export { SessionClosedError } from './errors/session-closed.error';
export { SessionAcquireTimeoutError } from './errors/session-acquire-timeout.error';
export { DatabaseStartupError } from './errors/database-startup.error';
