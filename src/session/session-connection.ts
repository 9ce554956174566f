import type { QueryRunner } from 'typeorm';
import { DatabaseUnavailableError } from '../errors/database-unavailable.error';
import { channels } from '../observability/channels';
import * as publish from '../observability/publish';
import { beginTransaction, leaveQueryOnly, type TransactionCharacteristics } from './begin-transaction';
import type { Bind } from './bind';
import { isConnectionError, unreachableMessage } from '../errors/connection-errors';
import { SessionStatements, type StatementHost, type WriteCounts } from './session-statements';
import type { StatementDeadline } from './statement-deadline';
import type { StatementRoute } from './statement-route';
import type { TransactionState } from './transaction-state';
import type { TenantSessionSetup } from './bind';
import { enterTenantDatabase, leaveTenantDatabase } from './tenant-connection';

/** TypeORM keeps the nesting depth protected; the session's transaction state sets it when it defers BEGIN. */
export type SessionRunner = Omit<QueryRunner, 'isTransactionActive'> & {
  isTransactionActive: boolean;
  transactionDepth: number;
  /** The driver's connection (pg client, mysql2 connection), once the runner has one. */
  databaseConnection?: unknown;
};

/** The session a connection belongs to (DatabaseSession), as the connection needs it. */
export interface ConnectionOwner extends publish.ObservedSession, WriteCounts {
  readonly state: TransactionState;
  readonly deadline: StatementDeadline;
  readonly route: StatementRoute | undefined;
  /** On a tenant-scoped bind key: how the connection enters and leaves the tenant's schema. */
  readonly tenantSetup?: TenantSessionSetup;
}

/**
 * A session's query runner from its first statement to its end: the connection permit, the
 * pending BEGIN sent when the first statement needs it, SQLite's read-only mode, and giving it
 * all back. The session decides when (commit, rollback, close); this says how.
 */
export class SessionConnection implements StatementHost {
  #holdsSlot = false;
  /** True from the first statement on: the session holds its connection (SQLite's lock included) until it closes. */
  #connected = false;
  /** SQLite's read-only mode is a connection setting (`PRAGMA query_only`): turned off before the transaction ends. */
  #queryOnly = false;
  readonly statements: SessionStatements;

  constructor(
    readonly owner: ConnectionOwner,
    readonly runner: SessionRunner,
  ) {
    const queryRunner = runner as unknown as QueryRunner;
    owner.bind.pipeline.adoptRunner(queryRunner);
    this.statements = new SessionStatements(this, queryRunner);
    owner.state.adopt(runner);
    if (owner.state.autoBegin) this.statements.ready = false;
  }

  /** Takes a query runner of the owner's bind key (no connection yet: that waits for the first statement). */
  static open(owner: ConnectionOwner): SessionConnection {
    const runner = owner.bind.dataSource.createQueryRunner() as SessionRunner;
    owner.bind.sessionOpened();
    if (channels.sessionOpened.hasSubscribers) publish.publishSessionOpened(owner);
    return new SessionConnection(owner, runner);
  }

  get bind(): Bind {
    return this.owner.bind;
  }

  get state(): TransactionState {
    return this.owner.state;
  }

  get deadline(): StatementDeadline {
    return this.owner.deadline;
  }

  get route(): StatementRoute | undefined {
    return this.owner.route;
  }

  get writes(): WriteCounts {
    return this.owner;
  }

  /** The session, as telemetry names it (a read on a borrowed connection reports its wait for it). */
  get session(): publish.ObservedSession {
    return this.owner;
  }

  get holdsSlot(): boolean {
    return this.#holdsSlot;
  }

  get queryOnly(): boolean {
    return this.#queryOnly;
  }

  /** See `DatabaseSession.holdsConnection`. */
  get holdsConnection(): boolean {
    if (this.bind.slots) return this.#holdsSlot;
    return this.runner.isTransactionActive && (this.#connected || !this.state.armed);
  }

  /**
   * Takes a connection permit and sends the pending BEGIN (unless `deferBegin`: a plain read goes
   * first); a lost database becomes a 503-class error.
   */
  async prepare(characteristics = this.bind.transactionDefaults, deferBegin = false): Promise<void> {
    const runner = this.runner;
    let waitFrom = -1;
    try {
      this.#connected = true;
      const slots = this.bind.slots;
      if (!this.#holdsSlot && slots) {
        if (publish.tracksConnections() || channels.poolExhausted.hasSubscribers) waitFrom = performance.now();
        if (!slots.tryAcquire()) await slots.acquire();
        this.#holdsSlot = true;
        // Taken here, bounded by the connect timeout and the pool guard, not under a statement's
        // deadline: a checkout given up half-way would hand its connection to a released runner.
        await runner.connect();
        const enterSql = this.owner.tenantSetup?.enterSql;
        if (enterSql) await enterTenantDatabase(runner as unknown as QueryRunner, enterSql);
        if (waitFrom >= 0) publish.connectionTaken(this.owner, waitFrom);
      }
      if (deferBegin) return;
      if (this.state.armed) {
        this.state.clearPending();
        try {
          await this.startTransaction(characteristics);
        } catch (error) {
          this.arm();
          throw error;
        }
      }
      this.statements.ready = true;
    } catch (error) {
      if (channels.poolExhausted.hasSubscribers) publish.poolExhaustedIf(this.owner, error, waitFrom);
      if (!isConnectionError(error)) throw error;
      const unavailable = new DatabaseUnavailableError(unreachableMessage(this.bind.key, error), { cause: error });
      if (channels.connectionFailed.hasSubscribers) publish.connectionFailed(this.owner, unavailable);
      throw unavailable;
    }
  }

  async startTransaction(characteristics: TransactionCharacteristics): Promise<void> {
    this.state.beginning(characteristics);
    this.#queryOnly = await beginTransaction(
      this.runner,
      this.bind.dataSource.options.type,
      characteristics,
      this.bind.behindTransactionPooler ? this.deadline.timeoutMs : undefined,
      this.owner.tenantSetup?.beginSql,
    );
    if (publish.tracksTransactions()) publish.publishTransactionBegan(this.owner, characteristics);
  }

  async leaveReadOnly(): Promise<void> {
    if (!this.#queryOnly) return;
    this.#queryOnly = false;
    await leaveQueryOnly(this.runner);
  }

  /** The transaction ended: with autoBegin, the next statement begins another. */
  arm(): void {
    this.state.arm();
    if (this.state.autoBegin) this.statements.ready = false;
  }

  /**
   * Rolls back what is left, restores the bind key's statement timeout and gives the runner and
   * the permit back. The owner has forgotten the runner already: a failure here loses nothing more.
   */
  async close(): Promise<void> {
    const runner = this.runner;
    const baseDepth = this.state.baseDepth;
    this.state.forget();
    try {
      try {
        if (this.#queryOnly) await this.leaveReadOnly();
      } finally {
        while (runner.transactionDepth > baseDepth) await runner.rollbackTransaction();
        if (channels.transactionEnded.hasSubscribers) publish.publishTransactionEnded(this.owner, 'rollback', 'close');
      }
      // The connection goes back to the pool with the bind key's own statement timeout.
      if (this.deadline.changed) await runner.query(this.deadline.restoreSql(runner));
    } finally {
      try {
        this.statements.released = true;
        // Whatever ended the session: the connection goes back in its home database, or is destroyed.
        const leaveSql = this.owner.tenantSetup?.leaveSql;
        if (leaveSql && this.#connected) await leaveTenantDatabase(runner as unknown as QueryRunner, leaveSql);
        await runner.release();
      } finally {
        if (this.#holdsSlot) {
          this.#holdsSlot = false;
          this.bind.slots?.release();
        }
        this.bind.sessionClosed();
        if (channels.sessionClosed.hasSubscribers) publish.publishSessionClosed(this.owner);
      }
    }
  }
}
