import type { DataSource } from 'typeorm';
import type { AlchemyConfig } from '../config/alchemy-config';
import type { CommitMode } from '../config/commit-mode';
import { STATEMENT_DEADLINE_GRACE_MS, statementTimeoutOf, type IsolationLevel } from '../config/engine-config';
import type { TransactionCharacteristics } from './begin-transaction';
import type { ConnectionSlots } from './connection-slots';
import { StatementPipeline } from './statement-pipeline';
import { isBehindTransactionPooler } from './transaction-pooler';

/** A configured bind key at run time: its position in declaration order and its open DataSource. */
export class Bind {
  readonly key: string;
  readonly commitMode: CommitMode;
  readonly autoBegin: boolean;
  readonly isolationLevel?: IsolationLevel;
  /** How a session's transaction begins unless a unit asks otherwise. */
  readonly transactionDefaults: Readonly<TransactionCharacteristics>;
  /** The statement timeout of the bind key in milliseconds; 0 on SQLite (nothing to wait for) or when off. */
  readonly statementTimeoutMs: number;
  /** PostgreSQL through a transaction pooler: no session-level setting, timeouts per transaction. */
  readonly behindTransactionPooler: boolean;
  /** Manual mode with `warnOnUncommittedWrites`: sessions count their writes so a lost one is reported. */
  readonly warnsOnUncommittedWrites: boolean;
  /** Manual mode nobody stated: a unit that ends with uncommitted writes fails instead (docs/commit-modes.md). */
  readonly refusesUncommittedWrites: boolean;
  /** Sessions count their uncommitted writes: to warn about them or to refuse them. */
  readonly countsUncommittedWrites: boolean;
  /** Set when the application shuts down: no new session may take a connection. */
  closing = false;
  /** The stages of this bind key's statements (features register theirs at startup). */
  readonly pipeline: StatementPipeline;
  /** The bind key's read replicas, when it has any (registered by src/replicas at startup). */
  replicas?: BindReplicas;
  /** The bind key's tenancy strategy, when it is tenant-scoped (src/tenancy). */
  tenancy?: BindTenancy;
  #openSessions = 0;
  #drained?: () => void;

  constructor(
    /** Declaration order: sessions are committed in this order. */
    readonly index: number,
    readonly config: AlchemyConfig,
    readonly dataSource: DataSource,
    /** Whether the module created or initialised the DataSource, and so destroys it at shutdown. */
    readonly ownsDataSource: boolean,
    /** Permits for the pool's connections (server databases); SQLite queues at the connection itself. */
    readonly slots?: ConnectionSlots,
    /** Connection passwords, scrubbed from what the sessions of this bind key log. */
    readonly secrets: readonly string[] = [],
    /** Plain reads before the first write run outside a transaction (`sessionConfig.beginOnFirstWrite`). */
    readonly beginOnFirstWrite = false,
  ) {
    this.key = config.bindKey;
    this.commitMode = config.commitMode;
    this.autoBegin = config.sessionConfig.autoBegin !== false;
    this.isolationLevel = config.sessionConfig.isolationLevel ?? config.engineConfig.isolationLevel;
    this.transactionDefaults = Object.freeze({ isolationLevel: this.isolationLevel, readOnly: false });
    this.statementTimeoutMs =
      dataSource.options.type === 'better-sqlite3' ? 0 : statementTimeoutOf(config.engineConfig);
    this.behindTransactionPooler = isBehindTransactionPooler(dataSource);
    this.refusesUncommittedWrites = config.commitMode === 'manual' && !config.commitModeStated;
    this.warnsOnUncommittedWrites =
      config.commitMode === 'manual' && config.commitModeStated && config.warnOnUncommittedWrites;
    this.countsUncommittedWrites = this.refusesUncommittedWrites || this.warnsOnUncommittedWrites;
    this.pipeline = new StatementPipeline(this.countsUncommittedWrites, beginOnFirstWrite);
  }

  /** SQLite has one connection: a second session of this bind key waits for the first to end. */
  get hasSingleConnection(): boolean {
    return this.dataSource.options.type === 'better-sqlite3';
  }

  /** How long the module waits for a statement's answer before it drops the connection; 0 = no limit. */
  deadlineFor(statementTimeoutMs: number): number {
    return statementTimeoutMs > 0 ? statementTimeoutMs + STATEMENT_DEADLINE_GRACE_MS : 0;
  }

  /** Sessions that hold (or may hold) a query runner right now. */
  get openSessions(): number {
    return this.#openSessions;
  }

  sessionOpened(): void {
    this.#openSessions++;
  }

  sessionClosed(): void {
    this.#openSessions--;
    if (this.#openSessions === 0) this.#drained?.();
  }

  /** Resolves when no session is open any more, or after `timeoutMs`, whichever comes first. */
  drain(timeoutMs: number): Promise<void> {
    if (this.#openSessions === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      timer.unref();
      this.#drained = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

/** What a session of a tenant-scoped bind key does differently: made once per session, at its creation. */
export interface TenantSessionSetup {
  readonly tenant: string;
  /** The bind the session works on: the tenant's own (database strategy) or the bind key's. */
  readonly bind: Bind;
  /** Sent in the same round trip as BEGIN (PostgreSQL `SET LOCAL search_path`): it ends with the transaction. */
  readonly beginSql?: string;
  /** Sent when the session takes its connection (MariaDB/MySQL `USE`): a connection setting. */
  readonly enterSql?: string;
  /** Sent before the connection goes back to the pool, undoing `enterSql`. */
  readonly leaveSql?: string;
}

/** A bind key's read replicas as the core sees them (src/replicas' `ReplicaSet`): their permits, and closing them. */
export interface BindReplicas {
  readonly pools: ReadonlyArray<{ readonly slots: ConnectionSlots }>;
  close(): Promise<unknown>;
}

/**
 * A bind key's tenancy strategy at run time (`Bind.tenancy`), registered by src/tenancy at startup:
 * the core asks it for each new session's setup and never imports the feature.
 */
export interface BindTenancy {
  readonly strategy: 'schema' | 'database';
  /** Plain reads must run in the transaction (no `beginOnFirstWrite`): only it carries the tenant's setting. */
  readonly readsInTransaction: boolean;
  /**
   * The setup of a new session of `base` for the current tenant; throws outside any tenant.
   * `transactional`: whether the session begins transactions (false for a NOT_SUPPORTED unit).
   */
  sessionSetup(base: Bind, transactional: boolean): TenantSessionSetup;
  /** Closes what the strategy opened (the tenants' DataSources). */
  close(): Promise<void>;
}
