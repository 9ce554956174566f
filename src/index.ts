// The public API of nestjs-advanced-alchemy, by layer. Anything not exported here is internal
// (registries, the response gate, the session core): import only from this file. The testing kit
// is its own entry point, 'nestjs-advanced-alchemy/testing'.

// ── Core: the module, its options and injection tokens ──
export { AdvancedAlchemyModule } from './core/advanced-alchemy.module';
export type { AdvancedAlchemyModuleAsyncOptions, AdvancedAlchemyModuleOptions } from './core/advanced-alchemy.module';
export type {
  AdvancedAlchemyOptionsFactory,
  AlchemyConfigInput,
  AlchemyConfigResult,
} from './core/async-config-provider';
export { AdvancedAlchemy } from './core/advanced-alchemy';
export { getDatabaseMigrationPlugin } from './core/get-database-migration-plugin';
export { InjectDataSource } from './core/inject-data-source.decorator';
export { getDataSourceToken, getEntityManagerToken, getSessionToken } from './core/tokens';
export type { FeatureEntity } from './typeorm/feature-entities';

// ── Configuration: bind keys, engines, sessions, commit modes ──
export type { TypeOrmShapedConfigOptions } from './config/typeorm-shaped-options';
export { AlchemyConfig, DEFAULT_BIND_KEY } from './config/alchemy-config';
export type { AlchemyConfigOptions, EntityList } from './config/alchemy-config';
export { COMMIT_MODES, commitsOnStatus } from './config/commit-mode';
export type { CommitMode } from './config/commit-mode';
export { ISOLATION_LEVELS } from './config/engine-config';
export type { EchoOption, EngineConfig, IsolationLevel } from './config/engine-config';
export type { SessionConfig } from './config/session-config';
export type { MigrationConfig } from './config/migration-config';
export { redactConnectionString } from './config/connection-string';

// ── Sessions ──
export type { Session, SessionUnitWork } from './session/session';
export { InjectSession } from './core/inject-session.decorator';

// ── Transactions: units, propagation, hooks ──
export { Transactional } from './transactions/transactional.decorator';
export { disableTransactionalTestMode, enableTransactionalTestMode } from './transactions/test-mode';
export { PROPAGATIONS } from './transactions/propagation';
export type { Propagation } from './transactions/propagation';
export type { RetryOptions, TransactionOptions } from './transactions/transaction-options';
export type { TransactionCompletionHook, TransactionHook, TransactionOutcome } from './transactions/transaction-hooks';

// ── Commit on the response, and the entry points outside HTTP ──
export { SessionScopeInterceptor } from './entry-points/session-scope.interceptor';
export { AfterCommitEvents } from './entry-points/after-commit-events';
export { SkipSessionScope, SKIP_SESSION_SCOPE } from './entry-points/skip-session-scope.decorator';
export type { EntryPointKind, EntryPointRule, EntryPointsOptions } from './entry-points/entry-point-options';
/** The body of the answer that replaces a response whose commit failed. */
export { COMMIT_FAILED_BODY } from './commit/response-gate';
export { DatabaseUnavailableFilter } from './commit/database-unavailable.filter';

// ── Replicas and health ──
export { AlchemyHealthIndicator } from './health/alchemy-health-indicator';
export type { AlchemyHealthResult, PingCheckOptions } from './health/alchemy-health-indicator';
export type { TenantHealth, TenantsHealth } from './health/tenant-health';
export { ReadOnly, UsePrimary } from './replicas/route-mode';
export type { ReplicaOption, ReplicaOptions, RoutingConfig } from './replicas/replica-config';
export type { ReplicaHealth } from './replicas/replica-health';

// ── Service layer: repositories, entities, filters, list queries, JSON ──
export { AlchemyServiceMixin, AlchemyService } from './service/json/alchemy-service.mixin';
export type { Constructor, Jsonify, WithJsonify } from './service/json/alchemy-service.mixin';
export { JsonResponse } from './service/json/json-response';
export type { JsonifyOptions } from './service/json/json-response';
export { toJsonValue } from './service/json/to-json-value';
export type { JsonValue } from './service/json/to-json-value';
export { RepositoryError } from './errors/repository.error';
export type { RepositoryErrorOptions } from './errors/repository.error';
export { NotFoundError } from './errors/not-found.error';
export { IntegrityError } from './errors/integrity.error';
export { InvalidValueError } from './errors/invalid-value.error';
export { DuplicateKeyError } from './errors/duplicate-key.error';
export { ConflictError } from './errors/conflict.error';
export { ForeignKeyError } from './errors/foreign-key.error';
export { InvalidFilterError } from './errors/invalid-filter.error';
export { mapDatabaseError, classifyConstraintViolation } from './errors/map-database-error';
export type { ConstraintViolation } from './errors/map-database-error';
export * from './service/filters';
export { AlchemyReadOnlyRepositoryService } from './service/repository/read-only-repository.service';
export { AlchemyRepositoryService } from './service/repository/repository.service';
export { AlchemyRepositoryWrites } from './service/repository/repository-writes.service';
export type { HookResult } from './service/repository/repository-writes.service';
export { slugify } from './service/repository/slug';
export type { SlugOptions } from './service/repository/slug';
export { OffsetPagination } from './service/repository/offset-pagination';
export { CursorPage, CursorPagination } from './service/pagination/cursor-page';
export type { CursorPageOptions } from './service/pagination/cursor-page';
export type { LoadSpec, LockMode, ReadOptions } from './service/repository/read-options';
export type {
  ChunkOptions,
  Criterion,
  EntityInput,
  PrimaryKeyValue,
  RepositoryServiceOptions,
  UpsertOptions,
  Where,
} from './service/repository/repository-types';
export { UUIDBase, UUIDAuditBase } from './service/entities/uuid-base';
export { UUIDv7Base, UUIDv7AuditBase } from './service/entities/uuid-v7-base';
export { BigIntBase, BigIntAuditBase, bigintIdTransformer } from './service/entities/bigint-base';
export { uuid7, uuid7Timestamp } from './service/entities/uuid-v7';
export { UtcTimestampColumn } from './service/entities/utc-timestamp-column';
export { DialectColumnType, applyDialectColumnTypes } from './service/entities/dialect-column-types';
export type { DialectColumnTypes } from './service/entities/dialect-column-types';
export { RepositoryExceptionFilter, repositoryErrorStatus } from './service/repository-exception.filter';
export { MaxDepthPipe, DEFAULT_MAX_BODY_DEPTH } from './service/validation/max-depth.pipe';
export type { RepositoryErrorBody } from './service/repository-exception.filter';
export { ListQueryDto } from './service/list-query/list-query.dto';
export { ListQuery } from './service/list-query/list-query.decorator';
export { parseListQuery, listQueryFilters } from './service/list-query/parse-list-query';
export type { ListQueryOptions, FieldFilterConfig } from './service/list-query/list-query-options';
export { ApiListQuery } from './openapi/api-list-query.decorator';
export { ApiPaginatedResponse, ApiCursorPaginatedResponse } from './openapi/api-paginated-response.decorator';

// ── Errors ──
export { AdvancedAlchemyError } from './errors/advanced-alchemy.error';
export { ImproperConfigurationError } from './errors/improper-configuration.error';
export { SessionScopeError } from './errors/session-scope.error';
export { SessionClosedError } from './errors/session-closed.error';
export { SessionAcquireTimeoutError } from './errors/session-acquire-timeout.error';
export { DatabaseStartupError } from './errors/database-startup.error';
export { DatabaseUnavailableError } from './errors/database-unavailable.error';
export { StatementTimeoutError } from './errors/statement-timeout.error';
export { TransactionConflictError } from './errors/transaction-conflict.error';
export { TransactionPropagationError } from './errors/transaction-propagation.error';
export { ReadOnlyTransactionError } from './errors/read-only-transaction.error';

// ── Migrations and the command line ──
export { runDatabaseCli } from './cli/run-database-cli';
export type { RunDatabaseCliOptions } from './cli/run-database-cli';
export { createDataSourceForBindKey } from './migrations/data-source-for-bind-key';
export type { RootModule } from './migrations/boot-for-migrations';
export { runMigrationsOnStartup } from './migrations/run-on-startup';
export { MigrationError } from './migrations/migration-error';
export { RevisionError } from './migrations/revision';

// ── Observability ──
export { ALCHEMY_CHANNELS } from './observability/channels';
export type {
  CommitFailedEvent,
  ConnectionAcquiredEvent,
  DecidedBy,
  PoolExhaustedEvent,
  ConnectionFailedEvent,
  SavepointEvent,
  ScopeKind,
  SessionClosedEvent,
  SessionOpenedEvent,
  StatementEvent,
  TransactionBeganEvent,
  TransactionEndReason,
  TransactionEndedEvent,
} from './observability/channels';
export { registerOpenTelemetryBridge, publishStatementText } from './observability/telemetry';
export type { OpenTelemetryBridgeOptions, TelemetryOption, TelemetryRegistration } from './observability/telemetry';
export { CurrentTenant } from './tenancy/current-tenant';
export { TenantRejectedError, TenantRequiredError } from './tenancy/tenant-errors';
export type {
  TenancyOptions,
  TenantSource,
  TenantStrategyOption,
  SchemaStrategyOption,
  DatabaseStrategyOption,
  TenantConnectionLookup,
} from './tenancy/tenancy-options';
