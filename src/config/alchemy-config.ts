import type { DataSource, DataSourceOptions } from 'typeorm';
import { ImproperConfigurationError } from '../errors/improper-configuration.error';
import type { Session } from '../session/session';
import type { CommitMode } from './commit-mode';
import type { EngineConfig } from './engine-config';
import type { MigrationConfig } from './migration-config';
import type { SessionConfig } from './session-config';
import type { ReplicaOption, RoutingConfig } from '../replicas/replica-config';
import type { ConnectRetry } from './connect-retry';
import type { TenantStrategyOption } from '../tenancy/tenancy-options';

/** The bind key a config gets when it names none. */
export const DEFAULT_BIND_KEY = 'default';

/** Entity classes, entity schemas or glob paths: the seed's `metadata`. */
export type EntityList = NonNullable<DataSourceOptions['entities']>;

/**
 * One database of the application (the seed's `SQLAlchemySyncConfig`/`SQLAlchemyAsyncConfig`;
 * TypeORM is asynchronous only, so there is one kind). Give exactly one of `connectionString`
 * and `dataSource`.
 */
export interface AlchemyConfigOptions {
  /** Name of this database; `@InjectSession(bindKey)` picks it. Default: `'default'`. */
  bindKey?: string;
  /** `sqlite:///file.db`, `sqlite://:memory:`, `postgresql://…`, `mysql://…` or `mariadb://…`. */
  connectionString?: string;
  /** Bring your own TypeORM DataSource (the seed's `engine_instance`), e.g. the one `TypeOrmModule` made. */
  dataSource?: DataSource;
  /** Builds the DataSource from the options the library computed (the seed's `create_engine_callable`). */
  createDataSource?: (options: DataSourceOptions) => DataSource | Promise<DataSource>;
  engineConfig?: EngineConfig;
  sessionConfig?: SessionConfig;
  /** The entities of this bind key (the seed's `metadata`). */
  entities?: EntityList;
  /**
   * Add the entities `AdvancedAlchemyModule.forFeature([...], bindKey)` registers for this bind key
   * to `entities`, as `@nestjs/typeorm`'s option of that name does. Default `false`.
   */
  autoLoadEntities?: boolean;
  /** Create the tables of `entities` that do not exist yet, at startup. Never alters existing tables. Default `false`. */
  createAll?: boolean;
  /** Set an entity's `updatedAt` to now on every update saved through a session. Default `true`. */
  enableTouchUpdatedTimestampListener?: boolean;
  migrationConfig?: MigrationConfig;
  /**
   * When the module commits this bind key's session by itself. Default `'manual'` (the seed's), with
   * one difference while it is not stated: a request that wrote and did not commit fails with a 500
   * instead of answering and storing nothing (docs/commit-modes.md). State it to choose. A config
   * written as `@nestjs/typeorm`'s options (with `type`) defaults to `'autocommit'` (docs/nestjs-typeorm.md).
   */
  commitMode?: CommitMode;
  /**
   * In `manual` mode, log one warning per route when a request that answered 1xx–3xx ends with
   * data-changing statements nobody committed (they are rolled back). Default `true`.
   */
  warnOnUncommittedWrites?: boolean;
  /**
   * Read replicas of this database (PostgreSQL, MySQL/MariaDB): plain reads of a session go to one
   * of them until its first write. See docs/replicas.md.
   */
  replicas?: readonly ReplicaOption[];
  /** How reads are spread over `replicas` (the seed's `RoutingConfig`). */
  routing?: RoutingConfig;
  /**
   * Tenant-scoped bind key (needs the module's `tenancy` option): `{ strategy: 'schema' }` or
   * `{ strategy: 'database', connectionString: '…{tenant}…' }`. See docs/tenancy.md.
   */
  tenancy?: TenantStrategyOption;
}

/** What the module needs from a running bind key to serve the config's own methods. */
export interface BindHandle {
  createSession(): Session;
  close(): Promise<void>;
}

/** A validated configuration with every default filled in; `AdvancedAlchemy.config` lists these. */
export class AlchemyConfig implements AlchemyConfigOptions {
  readonly bindKey: string;
  readonly connectionString?: string;
  readonly dataSource?: DataSource;
  readonly createDataSource?: (options: DataSourceOptions) => DataSource | Promise<DataSource>;
  readonly engineConfig: EngineConfig;
  readonly sessionConfig: SessionConfig;
  readonly entities: EntityList;
  readonly autoLoadEntities: boolean;
  readonly createAll: boolean;
  readonly enableTouchUpdatedTimestampListener: boolean;
  readonly migrationConfig: MigrationConfig;
  readonly commitMode: CommitMode;
  /** True when the application gave `commitMode` itself (false when it is the default). */
  readonly commitModeStated: boolean;
  /**
   * The TypeORM DataSource options of a config written as `@nestjs/typeorm`'s (with `type`), without
   * `entities` (see `entities`); undefined for `connectionString` and `dataSource` configs.
   */
  readonly typeOrmOptions?: Readonly<DataSourceOptions>;
  /** Connection attempts at startup (`retryAttempts`/`retryDelay` of a TypeORM-shaped config); one otherwise. */
  readonly connectRetry: ConnectRetry;
  readonly warnOnUncommittedWrites: boolean;
  readonly replicas: readonly ReplicaOption[];
  readonly routing: RoutingConfig;
  readonly tenancy?: TenantStrategyOption;
  #handle?: BindHandle;

  constructor(
    options: AlchemyConfigOptions,
    typeOrmShaped?: { dataSourceOptions: DataSourceOptions; connectRetry: ConnectRetry },
  ) {
    this.bindKey = options.bindKey ?? DEFAULT_BIND_KEY;
    this.connectionString = options.connectionString;
    this.dataSource = options.dataSource;
    this.createDataSource = options.createDataSource;
    this.engineConfig = { ...options.engineConfig };
    this.sessionConfig = { autoBegin: true, ...options.sessionConfig };
    this.entities = options.entities ?? [];
    this.autoLoadEntities = options.autoLoadEntities ?? false;
    this.createAll = options.createAll ?? false;
    this.enableTouchUpdatedTimestampListener = options.enableTouchUpdatedTimestampListener ?? true;
    // No default scriptLocation here: it depends on the project's layout (resolveMigrationSettings).
    this.migrationConfig = {
      versionTableName: 'migrations',
      runOnStartup: false,
      ...options.migrationConfig,
    };
    this.typeOrmOptions = typeOrmShaped?.dataSourceOptions;
    this.connectRetry = typeOrmShaped?.connectRetry ?? { attempts: 1, delayMs: 0 };
    this.commitModeStated = options.commitMode !== undefined;
    // Moving from @nestjs/typeorm, where each save() committed at once: a silent `manual` would drop
    // every write, so TypeORM-shaped configs commit on 2xx unless they say otherwise.
    this.commitMode = options.commitMode ?? (typeOrmShaped ? 'autocommit' : 'manual');
    this.warnOnUncommittedWrites = options.warnOnUncommittedWrites ?? true;
    this.replicas = [...(options.replicas ?? [])];
    this.routing = { selection: 'round-robin', stickyAfterWrite: true, ...options.routing };
    this.tenancy = options.tenancy;
  }

  /** A factory of new sessions on this bind key, outside any request scope: the caller closes them. */
  createSessionMaker(): () => Session {
    const handle = this.handle('createSessionMaker');
    return () => handle.createSession();
  }

  /** Closes this bind key's DataSource (the seed's `close_engines`). */
  async closeEngines(): Promise<void> {
    if (this.#handle) await this.#handle.close();
  }

  /** @internal Called by the module once the bind key runs. */
  attach(handle: BindHandle): void {
    this.#handle = handle;
  }

  private handle(method: string): BindHandle {
    if (!this.#handle) {
      throw new ImproperConfigurationError(
        `AlchemyConfig("${this.bindKey}").${method}() was called before the application started: ` +
          'import AdvancedAlchemyModule and call it after app.init() (or from a provider).',
      );
    }
    return this.#handle;
  }
}
