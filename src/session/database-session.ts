import type { DataSource, EntityManager, EntityTarget, ObjectLiteral, QueryRunner, Repository } from 'typeorm';
import type { IsolationLevel } from '../config/engine-config';
import { AdvancedAlchemyError } from '../errors/advanced-alchemy.error';
import { DatabaseUnavailableError } from '../errors/database-unavailable.error';
import { channels, type ScopeKind } from '../observability/channels';
import * as publish from '../observability/publish';
import {
  HookBatch,
  type HookKind,
  type TransactionCompletionHook,
  type TransactionHook,
} from '../transactions/transaction-hooks';
import type { TransactionOptions } from '../transactions/transaction-options';
import { UnitFrame, unitFrameStorage } from '../transactions/unit-frame';
import { beginTransaction, leaveQueryOnly, type TransactionCharacteristics } from './begin-transaction';
import type { Bind } from './bind';
import { isConnectionError } from './connection-errors';
import type { Session, SessionUnitWork } from './session';
import { closedError, SessionStatements, type StatementHost } from './session-statements';
import { StatementDeadline } from './statement-deadline';
import type { StatementRoute } from './statement-route';
import { TransactionState } from './transaction-state';
import { runUnitOf } from './unit-runner';

/** Options of a session that differ from its bind key's (the sessions of transactional units). */
export interface DatabaseSessionOptions {
  /** Overrides `sessionConfig.autoBegin`: true for a REQUIRES_NEW unit, false for NOT_SUPPORTED. */
  autoBegin?: boolean;
  /** What the session belongs to, as telemetry reports it (a unit's own session: `unit`). */
  kind?: ScopeKind;
}

/** TypeORM keeps the nesting depth protected; the session's transaction state sets it when it defers BEGIN. */
type Runner = Omit<QueryRunner, 'isTransactionActive'> & {
  isTransactionActive: boolean;
  transactionDepth: number;
  /** The driver's connection (pg client, mysql2 connection), once the runner has one. */
  databaseConnection?: unknown;
};

/**
 * The real session behind the scoped proxy (the `Session` users call). It takes no connection
 * until its first statement: then it waits for a connection permit of its bind key (bounded by
 * `poolTimeout`) and, with autoBegin, sends BEGIN. Where its transaction stands is its
 * `TransactionState`; the path of each statement is its `SessionStatements`.
 */
export class DatabaseSession implements Session, StatementHost {
  #info?: Record<string, unknown>;
  #runner?: Runner;
  #statements?: SessionStatements;
  #holdsSlot = false;
  /** True from the first statement on: the session holds its connection (SQLite's lock included) until it closes. */
  #connected = false;
  #closed = false;
  /** The transaction itself as the outermost unit (made at the first hook or NESTED unit). */
  #rootFrame?: UnitFrame;
  /** SQLite's read-only mode is a connection setting (`PRAGMA query_only`): turned off before the transaction ends. */
  #queryOnly = false;
  /** Pending BEGIN, depth, savepoints. */
  readonly state: TransactionState;
  /** This session's statement timeout and the module's deadline on top of it. */
  readonly deadline: StatementDeadline;
  /** Where the statements go, on a bind key with a routing stage (src/replicas). */
  readonly route: StatementRoute | undefined;
  /** Data-changing statements sent since the last commit or rollback, in manual mode (for its warning). */
  uncommittedWrites = 0;
  /** Data-changing statements in the open transaction, counted on two-phase bind keys only (src/twophase). */
  twoPhaseWrites = 0;
  /** True once the code using the session called `rollback()` itself. */
  rolledBackByCaller = false;
  readonly scopeKind: ScopeKind;

  constructor(
    readonly bind: Bind,
    options: DatabaseSessionOptions = {},
  ) {
    this.deadline = new StatementDeadline(bind);
    this.state = new TransactionState(options.autoBegin ?? bind.autoBegin, bind.transactionDefaults);
    this.scopeKind = options.kind ?? 'sessionMaker';
    this.route = bind.pipeline.openRoute?.();
  }

  usePrimary(): void {
    this.route?.usePrimary();
  }

  /** The transaction itself, as the outermost unit: its hooks run when it ends. */
  get rootFrame(): UnitFrame {
    this.#rootFrame ??= new UnitFrame(this.bind.key, this.bind.secrets);
    return this.#rootFrame;
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

  get holdsSlot(): boolean {
    return this.#holdsSlot;
  }

  /** Registers a hook on the innermost unit the calling code runs in (the transaction itself at the top). */
  private addHook(kind: HookKind, hook: TransactionHook | TransactionCompletionHook): void {
    (unitFrameStorage.getStore()?.get(this) ?? this.rootFrame).hooks.add(kind, hook);
  }

  beforeCommit(hook: TransactionHook): void {
    this.addHook('beforeCommit', hook);
  }

  afterCommit(hook: TransactionHook): void {
    this.addHook('afterCommit', hook);
  }

  afterRollback(hook: TransactionHook): void {
    this.addHook('afterRollback', hook);
  }

  afterCompletion(hook: TransactionCompletionHook): void {
    this.addHook('afterCompletion', hook);
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
    const runner = this.#runner;
    if (!runner || this.#closed) return false;
    if (this.bind.slots) return this.#holdsSlot;
    return runner.isTransactionActive && (this.#connected || !this.state.armed);
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
    const runner = this.runner();
    if (this.state.armed) {
      await this.prepare(characteristics);
      return;
    }
    if (this.state.statementsInTransaction) {
      throw new AdvancedAlchemyError(
        `Session of bind key "${this.bindKey}" is already in a transaction: commit() or rollback() it before begin().`,
      );
    }
    await this.startTransaction(runner, characteristics);
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
    if (this.#rootFrame) await this.#rootFrame.hooks.runBeforeCommit();
    if (this.#statements?.last) await this.#statements.settle();
    if (this.route?.endReadOnly()) this.state.resetCharacteristics();
    const runner = this.#runner;
    if (runner && !this.state.armed) {
      if (this.#queryOnly) await this.leaveReadOnly(runner);
      try {
        while (runner.transactionDepth > this.state.baseDepth) await runner.commitTransaction();
      } catch (error) {
        if (channels.transactionEnded.hasSubscribers || channels.commitFailed.hasSubscribers) {
          publish.commitFailed(this, error);
        }
        throw error;
      }
      if (channels.transactionEnded.hasSubscribers) publish.publishTransactionEnded(this, 'commit', 'caller');
      this.uncommittedWrites = this.twoPhaseWrites = 0;
      this.armBegin();
    }
    return this.#rootFrame?.hooks.committed() ?? HookBatch.empty;
  }

  async rollback(): Promise<void> {
    this.rolledBackByCaller = true;
    await (await this.rollbackTransaction()).run();
  }

  /** Rolls back; returns the afterRollback hooks for the caller to run. */
  async rollbackTransaction(): Promise<HookBatch> {
    this.uncommittedWrites = this.twoPhaseWrites = 0;
    if (this.#statements?.last) await this.#statements.settle();
    if (this.route?.endReadOnly()) this.state.resetCharacteristics();
    const runner = this.#runner;
    if (runner && !this.state.armed) {
      try {
        if (this.#queryOnly) await this.leaveReadOnly(runner);
      } finally {
        while (runner.transactionDepth > this.state.baseDepth) await runner.rollbackTransaction();
        if (channels.transactionEnded.hasSubscribers) publish.publishTransactionEnded(this, 'rollback', 'caller');
        this.armBegin();
      }
    }
    return this.#rootFrame?.hooks.rolledBack() ?? HookBatch.empty;
  }

  async close(): Promise<void> {
    await (await this.closeSession()).run();
  }

  /** Rolls back what is uncommitted and gives the connection back; returns the afterRollback hooks to run. */
  async closeSession(): Promise<HookBatch> {
    if (this.#closed) return HookBatch.empty;
    this.#closed = true;
    const statements = this.#statements;
    if (statements?.last) await statements.settle();
    if (this.route) await this.route.release();
    const hooks = this.#rootFrame?.hooks.rolledBack() ?? HookBatch.empty;
    const runner = this.#runner;
    if (!runner) return hooks;
    this.#runner = undefined;
    const baseDepth = this.state.baseDepth;
    this.state.forget();
    try {
      try {
        if (this.#queryOnly) await this.leaveReadOnly(runner);
      } finally {
        while (runner.transactionDepth > baseDepth) await runner.rollbackTransaction();
        if (channels.transactionEnded.hasSubscribers) publish.publishTransactionEnded(this, 'rollback', 'close');
      }
      // The connection goes back to the pool with the bind key's own statement timeout.
      if (this.deadline.changed) await runner.query(this.deadline.restoreSql(runner));
    } finally {
      try {
        if (statements) statements.released = true;
        await runner.release();
      } finally {
        if (this.#holdsSlot) {
          this.#holdsSlot = false;
          this.bind.slots?.release();
        }
        this.bind.sessionClosed();
        if (channels.sessionClosed.hasSubscribers) publish.publishSessionClosed(this);
      }
    }
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
    if (this.#rootFrame) await this.#rootFrame.hooks.runBeforeCommit();
    if (this.#statements?.last) await this.#statements.settle();
    await prepare(this.#runner as unknown as QueryRunner);
    this.uncommittedWrites = this.twoPhaseWrites = 0;
    this.state.leftByPrepare();
  }

  /** The hooks of a transaction that two-phase commit ended. */
  twoPhaseEnded(committed: boolean): HookBatch {
    const hooks = this.#rootFrame?.hooks;
    return (committed ? hooks?.committed() : hooks?.rolledBack()) ?? HookBatch.empty;
  }

  private async startTransaction(runner: Runner, characteristics: TransactionCharacteristics): Promise<void> {
    this.state.beginning(characteristics);
    this.#queryOnly = await beginTransaction(
      runner,
      this.bind.dataSource.options.type,
      characteristics,
      this.bind.behindTransactionPooler ? this.deadline.timeoutMs : undefined,
    );
    if (publish.tracksTransactions()) publish.publishTransactionBegan(this, characteristics);
  }

  private async leaveReadOnly(runner: Runner): Promise<void> {
    if (!this.#queryOnly) return;
    this.#queryOnly = false;
    await leaveQueryOnly(runner);
  }

  private runner(): Runner {
    if (this.#runner) return this.#runner;
    if (this.#closed) throw closedError(this.bindKey);
    if (this.bind.closing) {
      throw new DatabaseUnavailableError(
        `The application is shutting down: bind key "${this.bindKey}" takes no new sessions.`,
      );
    }
    const runner = this.bind.dataSource.createQueryRunner() as Runner;
    this.bind.sessionOpened();
    if (channels.sessionOpened.hasSubscribers) publish.publishSessionOpened(this);
    const queryRunner = runner as unknown as QueryRunner;
    this.bind.pipeline.adoptRunner(queryRunner);
    this.#statements = new SessionStatements(this, queryRunner);
    this.#runner = runner;
    this.state.adopt(runner);
    if (this.state.autoBegin) this.#statements.ready = false;
    return runner;
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
    const runner = this.runner();
    // MySQL and MariaDB name the setting differently: the connection tells which it is.
    if (!this.#statements?.ready) await this.prepare();
    const change = this.deadline.change(runner, timeoutMs);
    if (change.sql) await runner.query(change.sql);
    change.apply();
  }

  /**
   * Takes a connection permit and sends the pending BEGIN (unless `deferBegin`: a plain read goes
   * first); a lost database becomes a 503-class error.
   */
  async prepare(characteristics = this.bind.transactionDefaults, deferBegin = false): Promise<void> {
    const runner = this.#runner as Runner;
    try {
      this.#connected = true;
      const slots = this.bind.slots;
      if (!this.#holdsSlot && slots) {
        const waitFrom = publish.tracksConnections() ? performance.now() : -1;
        if (!slots.tryAcquire()) await slots.acquire();
        this.#holdsSlot = true;
        // Taken here, bounded by the connect timeout and the pool guard, not under a statement's
        // deadline: a checkout given up half-way would hand its connection to a released runner.
        await runner.connect();
        if (waitFrom >= 0) publish.connectionTaken(this, waitFrom);
      }
      if (deferBegin) return;
      if (this.state.armed) {
        this.state.clearPending();
        try {
          await this.startTransaction(runner, characteristics);
        } catch (error) {
          this.armBegin();
          throw error;
        }
      }
      (this.#statements as SessionStatements).ready = true;
    } catch (error) {
      if (channels.poolExhausted.hasSubscribers) publish.poolExhaustedIf(this, error);
      if (!isConnectionError(error)) throw error;
      throw new DatabaseUnavailableError(`The database of bind key "${this.bindKey}" cannot be reached.`, {
        cause: error,
      });
    }
  }

  /** The transaction ended: with autoBegin, the next statement begins another. */
  private armBegin(): void {
    this.state.arm();
    if (this.state.autoBegin && this.#statements) this.#statements.ready = false;
  }
}
