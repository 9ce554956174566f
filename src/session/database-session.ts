import type { DataSource, EntityManager, EntityTarget, ObjectLiteral, QueryRunner, Repository } from 'typeorm';
import type { IsolationLevel } from '../config/engine-config';
import { AdvancedAlchemyError } from '../errors/advanced-alchemy.error';
import { connectionClosedByDatabase } from '../errors/commit-outcome';
import { DatabaseUnavailableError } from '../errors/database-unavailable.error';
import { channels, type ScopeKind } from '../observability/channels';
import * as publish from '../observability/publish';
import { HookBatch } from '../transactions/transaction-hooks';
import type { TransactionOptions } from '../transactions/transaction-options';
import type { TransactionCharacteristics } from './begin-transaction';
import type { Bind } from './bind';
import type { TenantSessionSetup } from './bind';
import type { Session, SessionUnitWork } from './session';
import { SessionConnection, type ConnectionOwner, type SessionRunner as Runner } from './session-connection';
import { rolledBackBeforeCommit } from './rolled-back-before-commit';
import { closedError } from './session-statements';
import { StatementDeadline } from './statement-deadline';
import type { StatementRoute } from './statement-route';
import { TransactionHookHost } from './transaction-hook-host';
import { TransactionState } from './transaction-state';
import { runUnitOf } from './unit-runner';

/** Options of a session that differ from its bind key's (the sessions of transactional units). */
export interface DatabaseSessionOptions {
  /** Overrides `sessionConfig.autoBegin`: true for a REQUIRES_NEW unit, false for NOT_SUPPORTED. */
  autoBegin?: boolean;
  /** What the session belongs to, as telemetry reports it (a unit's own session: `unit`). */
  kind?: ScopeKind;
}

/**
 * The real session behind the scoped proxy (the `Session` users call). It takes no connection
 * until its first statement: then it waits for a connection permit of its bind key (bounded by
 * `poolTimeout`) and, with autoBegin, sends BEGIN. Where its transaction stands is its
 * `TransactionState`; the path of each statement is its `SessionStatements`.
 */
export class DatabaseSession extends TransactionHookHost implements Session, ConnectionOwner {
  #info?: Record<string, unknown>;
  /** The session's query runner and what goes with it, from the first statement to the session's end. */
  #connection?: SessionConnection;
  #closed = false;
  /** Pending BEGIN, depth, savepoints. */
  readonly state: TransactionState;
  /** This session's statement timeout and the module's deadline on top of it (the bind key's until changed). */
  #deadline: StatementDeadline;
  /** Where the statements go, on a bind key with a routing stage (src/replicas). */
  readonly route: StatementRoute | undefined;
  /** Data-changing statements sent since the last commit or rollback, in manual mode (for its warning). */
  uncommittedWrites = 0;
  /** Data-changing statements in the open transaction, counted on two-phase bind keys only (src/twophase). */
  twoPhaseWrites = 0;
  /** True once the code using the session called `rollback()` itself. */
  rolledBackByCaller = false;
  readonly scopeKind: ScopeKind;
  /** The bind key's, or the tenant's own (database strategy). */
  readonly bind: Bind;
  /** On a tenant-scoped bind key: the tenant and how the session enters its schema (src/tenancy). */
  readonly tenantSetup?: TenantSessionSetup;

  constructor(bind: Bind, options: DatabaseSessionOptions = {}) {
    super();
    this.tenantSetup = bind.tenancy?.sessionSetup(bind, options.autoBegin ?? bind.autoBegin);
    bind = this.bind = this.tenantSetup?.bind ?? bind;
    this.#deadline = StatementDeadline.of(bind);
    this.state = new TransactionState(options.autoBegin ?? bind.autoBegin, bind.transactionDefaults);
    this.scopeKind = options.kind ?? 'sessionMaker';
    this.route = bind.pipeline.openRoute?.();
  }

  /** The tenant of this session, on a tenant-scoped bind key. */
  get tenant(): string | undefined {
    return this.tenantSetup?.tenant;
  }

  usePrimary(): void {
    this.route?.usePrimary();
  }

  /** Whether the session begins a transaction by itself at its first statement. */
  get autoBegins(): boolean {
    return this.state.autoBegin;
  }

  /** True while the session is to begin its transaction at its next statement and has not yet. */
  get beginPending(): boolean {
    return this.state.beginPending;
  }

  /** How the open (or pending) transaction begins or began. */
  get characteristics(): Readonly<TransactionCharacteristics> {
    return this.state.characteristics;
  }

  /** A name for the next savepoint, unique in this session. */
  nextSavepointName(): string {
    return this.state.nextSavepointName();
  }

  transaction<T>(work: SessionUnitWork<T>, options?: TransactionOptions): Promise<T> {
    return runUnitOf(this.bind, work, options ?? {}, this);
  }

  get info(): Record<string, unknown> {
    this.#info ??= { ...this.bind.config.sessionConfig.info };
    return this.#info;
  }

  get bindKey(): string {
    return this.bind.key;
  }

  get dataSource(): DataSource {
    return this.bind.dataSource;
  }

  get manager(): EntityManager {
    return this.runner().manager;
  }

  get isActive(): boolean {
    return !this.#closed;
  }

  /**
   * Whether the session holds its connection now. A server database's from the first statement to
   * the session's end; SQLite's lock while a transaction is open, or pending after a plain read.
   */
  get holdsConnection(): boolean {
    const connection = this.#connection;
    return connection !== undefined && !this.#closed && connection.holdsConnection;
  }

  get deadline(): StatementDeadline {
    return this.#deadline;
  }

  get inTransaction(): boolean {
    return this.state.inTransaction;
  }

  getRepository<Entity extends ObjectLiteral>(target: EntityTarget<Entity>): Repository<Entity> {
    return this.runner().manager.getRepository(target);
  }

  query<Result = unknown>(sql: string, parameters?: unknown[]): Promise<Result> {
    return this.runner().query(sql, parameters) as Promise<Result>;
  }

  async begin(isolationLevel?: IsolationLevel): Promise<void> {
    await this.beginWith({ isolationLevel: isolationLevel ?? this.bind.isolationLevel, readOnly: false });
  }

  /** Begins the transaction now with these characteristics (sends a pending BEGIN). */
  async beginWith(characteristics: TransactionCharacteristics): Promise<void> {
    // A read-only unit before the first write reads from a replica and begins nothing on the primary.
    if (this.route?.beginReadOnly(characteristics, this.dataSource.options.type)) {
      this.state.beganElsewhere(characteristics);
      return;
    }
    const connection = this.connection();
    if (this.state.armed) {
      await connection.prepare(characteristics);
      return;
    }
    if (this.state.statementsInTransaction) {
      throw new AdvancedAlchemyError(
        `Session of bind key "${this.bindKey}" is already in a transaction: commit() or rollback() it before begin().`,
      );
    }
    await connection.startTransaction(characteristics);
  }

  async commit(): Promise<void> {
    await (await this.commitTransaction()).run();
  }

  /**
   * Runs the beforeCommit hooks, then COMMIT; returns the afterCommit hooks for the caller to run
   * (the request's scope runs them once the response is on its way).
   */
  async commitTransaction(): Promise<HookBatch> {
    // Awaited only when there is something to wait for: every request's end runs through here.
    if (this.openRootFrame) await this.openRootFrame.hooks.runBeforeCommit();
    const connection = this.#connection;
    if (connection?.statements.last) await connection.statements.settle();
    if (this.route?.endReadOnly()) this.state.resetCharacteristics();
    if (connection && !this.state.armed) {
      const runner = connection.runner;
      if (connection.queryOnly) await connection.leaveReadOnly();
      // Read before COMMIT is written: a connection the database already closed cannot carry it.
      const closedBefore = connectionClosedByDatabase(runner.databaseConnection);
      try {
        while (runner.transactionDepth > this.state.baseDepth) await runner.commitTransaction();
      } catch (failure) {
        const error = closedBefore ? rolledBackBeforeCommit(this.bindKey, failure) : failure;
        if (channels.transactionEnded.hasSubscribers || channels.commitFailed.hasSubscribers) {
          publish.commitFailed(this, error);
        }
        throw error;
      }
      if (channels.transactionEnded.hasSubscribers) publish.publishTransactionEnded(this, 'commit', 'caller');
      this.uncommittedWrites = this.twoPhaseWrites = 0;
      connection.arm();
    }
    return this.openRootFrame?.hooks.committed() ?? HookBatch.empty;
  }

  async rollback(): Promise<void> {
    this.rolledBackByCaller = true;
    await (await this.rollbackTransaction()).run();
  }

  /** Rolls back; returns the afterRollback hooks for the caller to run. */
  async rollbackTransaction(): Promise<HookBatch> {
    this.uncommittedWrites = this.twoPhaseWrites = 0;
    const connection = this.#connection;
    if (connection?.statements.last) await connection.statements.settle();
    if (this.route?.endReadOnly()) this.state.resetCharacteristics();
    if (connection && !this.state.armed) {
      const runner = connection.runner;
      try {
        if (connection.queryOnly) await connection.leaveReadOnly();
      } finally {
        while (runner.transactionDepth > this.state.baseDepth) await runner.rollbackTransaction();
        if (channels.transactionEnded.hasSubscribers) publish.publishTransactionEnded(this, 'rollback', 'caller');
        connection.arm();
      }
    }
    return this.openRootFrame?.hooks.rolledBack() ?? HookBatch.empty;
  }

  async close(): Promise<void> {
    await (await this.closeSession()).run();
  }

  /** Rolls back what is uncommitted and gives the connection back; returns the afterRollback hooks to run. */
  async closeSession(): Promise<HookBatch> {
    if (this.#closed) return HookBatch.empty;
    this.#closed = true;
    const connection = this.#connection;
    if (connection?.statements.last) await connection.statements.settle();
    if (this.route) await this.route.release();
    const hooks = this.openRootFrame?.hooks.rolledBack() ?? HookBatch.empty;
    if (!connection) return hooks;
    this.#connection = undefined;
    await connection.close();
    return hooks;
  }

  /** True when the session wrote in a transaction of its own that two-phase commit can prepare. */
  get wroteInTwoPhase(): boolean {
    return this.twoPhaseWrites > 0 && this.state.baseDepth === 0 && this.inTransaction;
  }

  /**
   * Two-phase commit, phase 1 (src/twophase): the beforeCommit hooks, then `prepare` on this
   * session's connection (PREPARE TRANSACTION, XA PREPARE), after which the connection is outside
   * any transaction: the session forgets it without COMMIT and keeps the connection for phase 2.
   */
  async prepareTwoPhase(prepare: (runner: QueryRunner) => Promise<void>): Promise<void> {
    // Awaited only when there is something to wait for: every request's end runs through here.
    if (this.openRootFrame) await this.openRootFrame.hooks.runBeforeCommit();
    const connection = this.#connection as SessionConnection;
    if (connection.statements.last) await connection.statements.settle();
    await prepare(connection.runner as unknown as QueryRunner);
    this.uncommittedWrites = this.twoPhaseWrites = 0;
    this.state.leftByPrepare();
  }

  /** The hooks of a transaction that two-phase commit ended. */
  twoPhaseEnded(committed: boolean): HookBatch {
    const hooks = this.openRootFrame?.hooks;
    return (committed ? hooks?.committed() : hooks?.rolledBack()) ?? HookBatch.empty;
  }

  /**
   * Changes the statement timeout for the rest of this session (PostgreSQL `statement_timeout`,
   * MariaDB `max_statement_time`, MySQL `max_execution_time`), and the module's own deadline with
   * it; `0` turns both off. The connection gets the bind key's timeout back when the session ends.
   */
  async setStatementTimeout(timeoutMs: number): Promise<void> {
    if (!Number.isInteger(timeoutMs) || timeoutMs < 0) {
      throw new AdvancedAlchemyError(
        `setStatementTimeout of bind key "${this.bindKey}" takes whole milliseconds (0 = no limit), not ${String(timeoutMs)}.`,
      );
    }
    const type = this.bind.dataSource.options.type;
    if (type === 'better-sqlite3') return;
    const connection = this.connection();
    // MySQL and MariaDB name the setting differently: the connection tells which it is.
    if (!connection.statements.ready) await connection.prepare();
    if (this.#deadline === StatementDeadline.of(this.bind)) this.#deadline = new StatementDeadline(this.bind);
    const change = this.#deadline.change(connection.runner, timeoutMs);
    if (change.sql) await connection.runner.query(change.sql);
    change.apply();
  }

  private connection(): SessionConnection {
    if (this.#connection) return this.#connection;
    if (this.#closed) throw closedError(this.bindKey);
    if (this.bind.closing) {
      throw new DatabaseUnavailableError(
        `The application is shutting down: bind key "${this.bindKey}" takes no new sessions.`,
      );
    }
    this.#connection = SessionConnection.open(this);
    return this.#connection;
  }

  private runner(): Runner {
    return this.connection().runner;
  }
}
