import type { DataSource, EntityManager, EntityTarget, ObjectLiteral, QueryRunner, Repository } from 'typeorm';
import type { IsolationLevel } from '../config/engine-config';
import { AdvancedAlchemyError } from '../errors/advanced-alchemy.error';
import { DatabaseUnavailableError } from '../errors/database-unavailable.error';
import { SessionClosedError } from '../errors/session-closed.error';
import type { Bind } from './bind';
import { isConnectionError, unreachableMessage } from './connection-errors';
import type { Session, SessionUnitWork } from './session';
import { StatementDeadline } from './statement-deadline';
import {
  HookBatch,
  type HookKind,
  type TransactionCompletionHook,
  type TransactionHook,
} from '../transactions/transaction-hooks';
import type { TransactionOptions } from '../transactions/transaction-options';
import { beginTransaction, leaveQueryOnly, type TransactionCharacteristics } from './begin-transaction';
import { runUnit } from '../transactions/run-unit';
import { UnitFrame, unitFrameStorage } from '../transactions/unit-frame';

/** Options of a session that differ from its bind key's (the sessions of transactional units). */
export interface DatabaseSessionOptions {
  /** Overrides `sessionConfig.autoBegin`: true for a REQUIRES_NEW unit, false for NOT_SUPPORTED. */
  autoBegin?: boolean;
  /** What the session belongs to, as telemetry reports it (a unit's own session: `unit`). */
  kind?: ScopeKind;
}
import { isPlainRead, isWritingStatement } from './statement-kind';
import { readOnBorrowedConnection } from './read-before-begin';
import { ReplicaRouter } from '../replicas/replica-router';
import { channels, type ScopeKind } from '../observability/channels';
import * as publish from '../observability/publish';

/** TypeORM keeps the nesting depth protected; the session needs to set it when it defers BEGIN. */
type Runner = Omit<QueryRunner, 'isTransactionActive'> & {
  isTransactionActive: boolean;
  transactionDepth: number;
  /** The driver's connection (pg client, mysql2 connection), once the runner has one. */
  databaseConnection?: unknown;
};

const ignore = (): void => undefined;

type StatementFn = (this: unknown, sql: string, parameters?: unknown[], structured?: boolean) => Promise<unknown>;

/**
 * The real session behind the scoped proxy. It takes no connection until its first statement:
 * then it waits for a connection permit of its bind key (bounded by `poolTimeout`) and, with
 * autoBegin, sends BEGIN. Until then it looks to TypeORM as if a transaction were already open,
 * so that `save()` does not open and commit one of its own.
 */
export class DatabaseSession implements Session {
  #info?: Record<string, unknown>;
  #runner?: Runner;
  /**
   * The runner's transaction depth when the session got it: 0, or 1 when it joined a transaction
   * that is already open (a test transaction of the testing kit). The session never ends that one.
   */
  #baseDepth = 0;
  #beginPending = false;
  #holdsSlot = false;
  /** True from the first statement on: the session holds its connection (SQLite's lock included) until it closes. */
  #connected = false;
  /** True once the next statement can go straight to the driver (permit held, BEGIN sent). */
  #ready = false;
  /**
   * The last statement sent. A connection runs its statements in order, so once this one has
   * settled none is in flight; ending the transaction waits for it (a stream can still be
   * writing when its response is decided).
   */
  #lastStatement?: Promise<unknown>;
  #closed = false;
  /** This session's statement timeout and the module's deadline on top of it. */
  readonly #deadline: StatementDeadline;
  /** Set when close() gives the runner back: statements after that come from a request that has ended. */
  #released = false;
  readonly #autoBegin: boolean;
  /** The transaction itself as the outermost unit (made at the first hook or NESTED unit). */
  #rootFrame?: UnitFrame;
  /** How the open (or pending) transaction began. */
  #characteristics: Readonly<TransactionCharacteristics>;
  /** SQLite's read-only mode is a connection setting (`PRAGMA query_only`): turned off before the transaction ends. */
  #queryOnly = false;
  #savepoints = 0;
  /** Data-changing statements sent since the last commit or rollback, in manual mode (for its warning). */
  uncommittedWrites = 0;
  /** Data-changing statements in the open transaction, counted on two-phase bind keys only (src/twophase). */
  twoPhaseWrites = 0;
  /** True once the code using the session called `rollback()` itself. */
  rolledBackByCaller = false;
  /** Where plain reads go until the first write, on a bind key with replicas (src/replicas). */
  readonly #router?: ReplicaRouter;
  readonly scopeKind: ScopeKind;

  constructor(
    readonly bind: Bind,
    options: DatabaseSessionOptions = {},
  ) {
    this.#deadline = new StatementDeadline(bind);
    this.#autoBegin = options.autoBegin ?? bind.autoBegin;
    this.#characteristics = bind.transactionDefaults;
    this.scopeKind = options.kind ?? 'sessionMaker';
    if (bind.replicas) {
      this.#router = new ReplicaRouter(bind.replicas, bind.key, bind.deadlineFor(bind.statementTimeoutMs));
    }
  }

  usePrimary(): void {
    this.#router?.usePrimary();
  }

  /** The transaction itself, as the outermost unit: its hooks run when it ends. */
  get rootFrame(): UnitFrame {
    this.#rootFrame ??= new UnitFrame(this.bind.key, this.bind.secrets);
    return this.#rootFrame;
  }

  /** Whether the session begins a transaction by itself at its first statement. */
  get autoBegins(): boolean {
    return this.#autoBegin;
  }

  /** True while the session is to begin its transaction at its next statement and has not yet. */
  get beginPending(): boolean {
    return this.#runner === undefined ? this.#autoBegin : this.#beginPending;
  }

  /** How the open (or pending) transaction begins or began. */
  get characteristics(): Readonly<TransactionCharacteristics> {
    return this.#characteristics;
  }

  /** A name for the next savepoint, unique in this session. */
  nextSavepointName(): string {
    return `aa_savepoint_${++this.#savepoints}`;
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
    return runUnit(this.bind, work, options ?? {}, this);
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
    return runner.isTransactionActive && (this.#connected || !this.#beginPending);
  }

  get inTransaction(): boolean {
    const runner = this.#runner;
    return runner !== undefined && runner.transactionDepth > this.#baseDepth && !this.#beginPending;
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
    if (this.#router?.beginReadOnly(characteristics, this.dataSource.options.type)) {
      this.#characteristics = characteristics;
      return;
    }
    const runner = this.runner();
    if (this.#beginPending) {
      await this.prepare(runner, characteristics);
      return;
    }
    if (runner.transactionDepth > this.#baseDepth) {
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
    if (this.#lastStatement) await this.settle();
    if (this.#router?.endReadOnly()) this.#characteristics = this.bind.transactionDefaults;
    const runner = this.#runner;
    if (runner && !this.#beginPending) {
      if (this.#queryOnly) await this.leaveReadOnly(runner);
      try {
        while (runner.transactionDepth > this.#baseDepth) await runner.commitTransaction();
      } catch (error) {
        if (channels.transactionEnded.hasSubscribers || channels.commitFailed.hasSubscribers) {
          publish.commitFailed(this, error);
        }
        throw error;
      }
      if (channels.transactionEnded.hasSubscribers) publish.publishTransactionEnded(this, 'commit', 'caller');
      this.uncommittedWrites = this.twoPhaseWrites = 0;
      this.armBegin(runner);
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
    if (this.#lastStatement) await this.settle();
    if (this.#router?.endReadOnly()) this.#characteristics = this.bind.transactionDefaults;
    const runner = this.#runner;
    if (runner && !this.#beginPending) {
      try {
        if (this.#queryOnly) await this.leaveReadOnly(runner);
      } finally {
        while (runner.transactionDepth > this.#baseDepth) await runner.rollbackTransaction();
        if (channels.transactionEnded.hasSubscribers) publish.publishTransactionEnded(this, 'rollback', 'caller');
        this.armBegin(runner);
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
    if (this.#lastStatement) await this.settle();
    if (this.#router) await this.#router.release();
    const hooks = this.#rootFrame?.hooks.rolledBack() ?? HookBatch.empty;
    const runner = this.#runner;
    if (!runner) return hooks;
    this.#runner = undefined;
    this.clearPendingBegin(runner);
    try {
      try {
        if (this.#queryOnly) await this.leaveReadOnly(runner);
      } finally {
        while (runner.transactionDepth > this.#baseDepth) await runner.rollbackTransaction();
        if (channels.transactionEnded.hasSubscribers) publish.publishTransactionEnded(this, 'rollback', 'close');
      }
      // The connection goes back to the pool with the bind key's own statement timeout.
      if (this.#deadline.changed) await runner.query(this.#deadline.restoreSql(runner));
    } finally {
      try {
        this.#released = true;
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
    return this.twoPhaseWrites > 0 && this.#baseDepth === 0 && this.inTransaction;
  }

  /**
   * Two-phase commit, phase 1 (src/twophase): the beforeCommit hooks, then `prepare` on this
   * session's connection (PREPARE TRANSACTION, XA PREPARE), after which the connection is outside
   * any transaction: the session forgets it without COMMIT and keeps the connection for phase 2.
   */
  async prepareTwoPhase(prepare: (runner: QueryRunner) => Promise<void>): Promise<void> {
    // Awaited only when there is something to wait for: every request's end runs through here.
    if (this.#rootFrame) await this.#rootFrame.hooks.runBeforeCommit();
    if (this.#lastStatement) await this.settle();
    const runner = this.#runner as Runner;
    await prepare(runner as unknown as QueryRunner);
    this.uncommittedWrites = this.twoPhaseWrites = 0;
    this.setDepth(runner, this.#baseDepth);
  }

  /** The hooks of a transaction that two-phase commit ended. */
  twoPhaseEnded(committed: boolean): HookBatch {
    const hooks = this.#rootFrame?.hooks;
    return (committed ? hooks?.committed() : hooks?.rolledBack()) ?? HookBatch.empty;
  }

  private async startTransaction(runner: Runner, characteristics: TransactionCharacteristics): Promise<void> {
    this.#characteristics = characteristics;
    this.#queryOnly = await beginTransaction(
      runner,
      this.bind.dataSource.options.type,
      characteristics,
      this.bind.behindTransactionPooler ? this.#deadline.timeoutMs : undefined,
    );
    if (publish.tracksTransactions()) publish.publishTransactionBegan(this, characteristics);
  }

  private async leaveReadOnly(runner: Runner): Promise<void> {
    if (!this.#queryOnly) return;
    this.#queryOnly = false;
    await leaveQueryOnly(runner);
  }

  /** Waits until no statement of this session is in flight (their errors belong to their callers). */
  private async settle(): Promise<void> {
    const last = this.#lastStatement;
    if (last) await last.then(ignore, ignore);
  }

  /** Statements after close() come from a request that has ended: say so, not "connection lost". */
  readonly #lateUse = (): SessionClosedError | undefined => (this.#released ? this.closedError() : undefined);

  private closedError(): SessionClosedError {
    return new SessionClosedError(
      `The session of bind key "${this.bindKey}" is closed: its request has ended. ` +
        'Work that outlives a request belongs in advancedAlchemy.withSession().',
    );
  }

  private runner(): Runner {
    if (this.#runner) return this.#runner;
    if (this.#closed) throw this.closedError();
    if (this.bind.closing) {
      throw new DatabaseUnavailableError(
        `The application is shutting down: bind key "${this.bindKey}" takes no new sessions.`,
      );
    }
    const runner = this.bind.dataSource.createQueryRunner() as Runner;
    this.bind.sessionOpened();
    if (channels.sessionOpened.hasSubscribers) publish.publishSessionOpened(this);
    this.#baseDepth = runner.transactionDepth ?? 0;
    this.bind.twoPhase?.adoptRunner(this.bind, runner as unknown as QueryRunner);
    const runStatement = runner.query as StatementFn;
    runner.query = ((sql: string, parameters?: unknown[], structured?: boolean) => {
      // Counted for manual mode only; outside a transaction (autoBegin off) a write commits by itself.
      if (this.bind.countsUncommittedWrites && runner.transactionDepth > this.#baseDepth && isWritingStatement(sql)) {
        this.uncommittedWrites++;
      }
      if (this.bind.twoPhase && runner.transactionDepth > this.#baseDepth && isWritingStatement(sql))
        this.twoPhaseWrites++;
      const router = this.#router;
      // The replica router gets a closure; a bind key without replicas allocates none per statement.
      const result = (this.#lastStatement = router
        ? router.run(sql, parameters, structured, () =>
            this.#ready
              ? this.#deadline.guard(runner, sql, runStatement.call(runner, sql, parameters, structured), this.#lateUse)
              : this.prepareThenRun(runner, runStatement, sql, parameters, structured),
          )
        : this.#ready
          ? this.#deadline.guard(runner, sql, runStatement.call(runner, sql, parameters, structured), this.#lateUse)
          : this.prepareThenRun(runner, runStatement, sql, parameters, structured));
      if (channels.statement.hasSubscribers) publish.observeStatement(this.bind.key, sql, result);
      return result;
    }) as Runner['query'];
    this.#runner = runner;
    this.#ready = this.bind.slots === undefined;
    this.armBegin(runner);
    return runner;
  }

  private async prepareThenRun(
    runner: Runner,
    runStatement: StatementFn,
    sql: string,
    parameters: unknown[] | undefined,
    structured: boolean | undefined,
  ): Promise<unknown> {
    if (this.#beginPending && this.bind.beginOnFirstWrite && isPlainRead(sql)) {
      // A plain read does not need the transaction yet: the BEGIN stays pending.
      const slots = this.bind.slots;
      if (slots && !this.#holdsSlot) {
        return readOnBorrowedConnection(this.bind, slots, this.#deadline, sql, parameters, structured, this.#lateUse);
      }
      await this.prepare(runner, undefined, true);
    } else {
      await this.prepare(runner);
    }
    return this.#deadline.guard(runner, sql, runStatement.call(runner, sql, parameters, structured), this.#lateUse);
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
    if (!this.#ready) await this.prepare(runner);
    const change = this.#deadline.change(runner, timeoutMs);
    if (change.sql) await runner.query(change.sql);
    change.apply();
  }

  /**
   * Takes a connection permit and sends the pending BEGIN (unless `deferBegin`: a plain read goes
   * first); a lost database becomes a 503-class error.
   */
  private async prepare(
    runner: Runner,
    characteristics = this.bind.transactionDefaults,
    deferBegin = false,
  ): Promise<void> {
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
      if (this.#beginPending) {
        this.clearPendingBegin(runner);
        try {
          await this.startTransaction(runner, characteristics);
        } catch (error) {
          this.setDepth(runner, this.#baseDepth);
          this.armBegin(runner);
          throw error;
        }
      }
      this.#ready = true;
    } catch (error) {
      if (channels.poolExhausted.hasSubscribers) publish.poolExhaustedIf(this, error);
      if (!isConnectionError(error)) throw error;
      throw new DatabaseUnavailableError(unreachableMessage(this.bindKey, error), {
        cause: error,
      });
    }
  }

  private armBegin(runner: Runner): void {
    this.#characteristics = this.bind.transactionDefaults;
    if (!this.#autoBegin) return;
    this.#beginPending = true;
    this.#ready = false;
    this.setDepth(runner, this.#baseDepth + 1);
  }

  private clearPendingBegin(runner: Runner): void {
    if (!this.#beginPending) return;
    this.#beginPending = false;
    this.setDepth(runner, this.#baseDepth);
  }

  private setDepth(runner: Runner, depth: number): void {
    runner.transactionDepth = depth;
    runner.isTransactionActive = depth > 0;
  }
}
