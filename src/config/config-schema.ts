import {
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateBy,
  ValidateNested,
  type ValidationOptions,
} from 'class-validator';
import { COMMIT_MODES } from './commit-mode';
import { ISOLATION_LEVELS } from './engine-config';
import { REPLICA_SELECTIONS } from '../replicas/replica-config';

// class-validator schemas of the configuration objects. Users write plain objects; these classes
// exist so that every field, and every unknown field, is checked at startup with one message each.

const ECHO_LEVELS = ['query', 'error', 'schema', 'warn', 'info', 'log', 'migration'];

function IsCallable(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCallable',
      validator: {
        validate: (value: unknown) => typeof value === 'function',
        defaultMessage: (args) => `${args?.property} must be a function`,
      },
    },
    options,
  );
}

function IsDataSourceInstance(): PropertyDecorator {
  return ValidateBy({
    name: 'isDataSource',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'object' &&
        value !== null &&
        typeof (value as { initialize?: unknown }).initialize === 'function' &&
        typeof (value as { options?: unknown }).options === 'object',
      defaultMessage: () => 'dataSource must be a TypeORM DataSource instance (new DataSource({...}))',
    },
  });
}

function IsEcho(): PropertyDecorator {
  return ValidateBy({
    name: 'isEcho',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'boolean' ||
        (Array.isArray(value) && value.every((level) => ECHO_LEVELS.includes(level as string))),
      defaultMessage: () => `echo must be true, false or an array of: ${ECHO_LEVELS.join(', ')}`,
    },
  });
}

function IsEntityList(): PropertyDecorator {
  return ValidateBy({
    name: 'isEntityList',
    validator: {
      validate: (value: unknown) =>
        (Array.isArray(value) &&
          value.every(
            (item) =>
              typeof item === 'function' || typeof item === 'string' || (typeof item === 'object' && item !== null),
          )) ||
        (typeof value === 'object' && value !== null && !Array.isArray(value)),
      defaultMessage: () => 'entities must be an array of entity classes, EntitySchema objects or glob paths',
    },
  });
}

function IsReplicaList(): PropertyDecorator {
  return ValidateBy({
    name: 'isReplicaList',
    validator: {
      validate: (value: unknown) =>
        Array.isArray(value) &&
        value.every(
          (item) =>
            typeof item === 'string' ||
            (typeof item === 'object' &&
              item !== null &&
              typeof (item as { connectionString?: unknown }).connectionString === 'string' &&
              Object.keys(item).every((key) => key === 'connectionString' || key === 'poolSize') &&
              ((item as { poolSize?: unknown }).poolSize === undefined ||
                (Number.isInteger((item as { poolSize?: unknown }).poolSize) &&
                  (item as { poolSize: number }).poolSize >= 1))),
        ),
      defaultMessage: () =>
        'replicas must be an array of connection strings or { connectionString, poolSize? } objects (poolSize a whole number ≥ 1)',
    },
  });
}

export class RoutingConfigSchema {
  @IsOptional() @IsIn(REPLICA_SELECTIONS) selection?: unknown;
  @IsOptional()
  @IsIn([true], {
    message:
      "stickyAfterWrite can only be true: reads on a replica after a write would not see the session's own writes",
  })
  stickyAfterWrite?: unknown;
  @IsOptional() @IsInt() @Min(0) maxReplicationLagMs?: unknown;
  @IsOptional() @IsInt() @Min(1) lagCheckIntervalMs?: unknown;
  @IsOptional() @IsInt() @Min(0) backoffMs?: unknown;
}

export class EngineConfigSchema {
  @IsOptional() @IsEcho() echo?: unknown;
  @IsOptional() @IsInt() @Min(1) @Max(10_000) poolSize?: unknown;
  @IsOptional() @IsInt() @Min(1) poolTimeout?: unknown;
  @IsOptional() @IsInt() @Min(1) poolRecycle?: unknown;
  @IsOptional() @IsInt() @Min(1) connectTimeout?: unknown;
  @IsOptional() @IsInt() @Min(0) statementTimeout?: unknown;
  @IsOptional() @IsBoolean() prePing?: unknown;
  @IsOptional() @IsBoolean() transactionPooler?: unknown;
  @IsOptional() @IsObject() connectArgs?: unknown;
  @IsOptional() @IsIn(ISOLATION_LEVELS) isolationLevel?: unknown;
  @IsOptional() @IsCallable() jsonSerializer?: unknown;
  @IsOptional() @IsCallable() jsonDeserializer?: unknown;
}

export class SessionConfigSchema {
  @IsOptional() @IsBoolean() autoBegin?: unknown;
  @IsOptional() @IsIn(ISOLATION_LEVELS) isolationLevel?: unknown;
  @IsOptional() @IsBoolean() beginOnFirstWrite?: unknown;
  @IsOptional() @IsObject() info?: unknown;
  @IsOptional() @IsBoolean() twophase?: unknown;
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_]{1,40}$/, { message: 'twophasePrefix must be 1 to 40 letters, digits or "_"' })
  twophasePrefix?: unknown;
  @IsOptional()
  @IsInt()
  @Min(300, { message: 'twophaseLeaseMs must be at least 300 (ms): the lease is renewed three times per lease' })
  twophaseLeaseMs?: unknown;
  @IsOptional() @IsInt() @Min(50) twophaseRecoveryIntervalMs?: unknown;
}

export class MigrationConfigSchema {
  @IsOptional()
  @IsString()
  @Matches(/\S/, { message: 'scriptLocation must name a directory, e.g. "migrations/default"' })
  scriptLocation?: unknown;
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z_][A-Za-z0-9_]*$/, {
    message: 'versionTableName must be a plain SQL identifier (letters, digits, underscores)',
  })
  versionTableName?: unknown;
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z_][A-Za-z0-9_]*$/, {
    message: 'versionTableSchema must be a plain SQL identifier (letters, digits, underscores)',
  })
  versionTableSchema?: unknown;
  @IsOptional() @IsString() templatePath?: unknown;
  @IsOptional() @IsBoolean() runOnStartup?: unknown;
}

export class AlchemyConfigSchema {
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_.-]+$/, {
    message: 'bindKey must be a non-empty name of letters, digits, "_", "." or "-"',
  })
  bindKey?: unknown;
  @IsOptional() @IsString() connectionString?: unknown;
  @IsOptional() @IsDataSourceInstance() dataSource?: unknown;
  @IsOptional() @IsCallable() createDataSource?: unknown;
  @IsOptional() @ValidateNested() engineConfig?: unknown;
  @IsOptional() @ValidateNested() sessionConfig?: unknown;
  @IsOptional() @IsEntityList() entities?: unknown;
  @IsOptional() @IsBoolean() autoLoadEntities?: unknown;
  @IsOptional() @IsBoolean() createAll?: unknown;
  @IsOptional() @IsBoolean() enableTouchUpdatedTimestampListener?: unknown;
  @IsOptional() @ValidateNested() migrationConfig?: unknown;
  @IsOptional()
  @IsIn(COMMIT_MODES, {
    message: `commitMode must be one of: ${COMMIT_MODES.map((mode) => `'${mode}'`).join(', ')}`,
  })
  commitMode?: unknown;
  @IsOptional() @IsBoolean() warnOnUncommittedWrites?: unknown;
  @IsOptional() @IsReplicaList() replicas?: unknown;
  @IsOptional() @ValidateNested() routing?: unknown;
  /** Checked when the bind keys are open (src/tenancy/attach-tenancy.ts), with the module's option. */
  @IsOptional() @IsObject() tenancy?: unknown;
}

/** Which schema class checks each nested object of the config. */
export const NESTED_SCHEMAS = {
  engineConfig: EngineConfigSchema,
  sessionConfig: SessionConfigSchema,
  migrationConfig: MigrationConfigSchema,
  routing: RoutingConfigSchema,
} as const;
