import type { QueryRunner } from 'typeorm';
import { SessionClosedError } from '../errors/session-closed.error';
import { channels } from '../observability/channels';
import { observeStatement } from '../observability/publish';
import type { Bind } from './bind';
import { readOnBorrowedConnection } from './read-before-begin';
import type { LateUse, StatementDeadline } from './statement-deadline';
import { classifyStatement, PLAIN_READ, UNCLASSIFIED, WRITES, type StatementClass } from './statement-kind';
import type { PrimaryPath, StatementRoute } from './statement-route';
import type { TransactionState } from './transaction-state';

/** A runner as the deadline sees it: with its driver connection, once it has one. */
type SessionRunner = QueryRunner & { databaseConnection?: unknown };

type StatementFn = (this: unknown, sql: string, parameters?: unknown[], structured?: boolean) => Promise<unknown>;

/** The write counters of a session (DatabaseSession), which the counting stages move. */
export interface WriteCounts {
  uncommittedWrites: number;
  twoPhaseWrites: number;
}

/** What the statement path needs of its session's connection (SessionConnection). */
export interface StatementHost {
  readonly bind: Bind;
  readonly state: TransactionState;
  readonly deadline: StatementDeadline;
  readonly route: StatementRoute | undefined;
  /** Whether the session holds a connection permit of its bind key. */
  readonly holdsSlot: boolean;
  readonly writes: WriteCounts;
  /** The session, as telemetry names it. */
  readonly session: object;
  /** Takes a connection permit and sends the pending BEGIN (unless `deferBegin`). */
  prepare(characteristics?: undefined, deferBegin?: boolean): Promise<void>;
}

/**
 * One session's statement pipeline: every statement TypeORM sends through the session's runner
 * comes here. It is classified once (when a stage of the bind key reads the class), counted (write
 * counting, two-phase bookkeeping), routed (replicas), sent under the statement deadline, and
 * observed (telemetry). One `query` function per session replaces the runner's; nothing per
 * statement but the driver's own promise and the deadline's.
 */
export class SessionStatements implements PrimaryPath, LateUse {
  /** True once the next statement can go straight to the driver (permit held, BEGIN sent). */
  ready: boolean;
  /** Set when the session gave its runner back: statements after that come from a request that has ended. */
  released = false;
  /**
   * The last statement sent. A connection runs its statements in order, so once this one has
   * settled none is in flight; ending the transaction waits for it.
   */
  last?: Promise<unknown>;
  readonly #send: StatementFn;

  constructor(
    private readonly host: StatementHost,
    private readonly runner: SessionRunner,
  ) {
    this.#send = runner.query as StatementFn;
    this.ready = host.bind.slots === undefined;
    runner.query = this.query as QueryRunner['query'];
  }

  /** Replaces the runner's `query`: made once per session, a method bound to it. */
  private readonly query = (sql: string, parameters?: unknown[], structured?: boolean): Promise<unknown> => {
    const host = this.host;
    const pipeline = host.bind.pipeline;
    const statementClass: StatementClass =
      pipeline.classifiesEvery || (!this.ready && pipeline.classifiesUntilReady)
        ? classifyStatement(sql)
        : UNCLASSIFIED;
    // Outside a transaction (autoBegin off) a write commits by itself: nothing to count.
    if ((statementClass & WRITES) !== 0 && host.state.statementsInTransaction) {
      if (pipeline.countsUncommittedWrites) host.writes.uncommittedWrites++;
      if (pipeline.countsTwoPhaseWrites) host.writes.twoPhaseWrites++;
    }
    const route = host.route;
    const result = (this.last = route
      ? route.run(sql, parameters, structured, statementClass, this)
      : this.sendToPrimary(sql, parameters, structured, statementClass));
    if (channels.statement.hasSubscribers) observeStatement(host.bind.key, sql, result);
    return result;
  };

  sendToPrimary(
    sql: string,
    parameters: unknown[] | undefined,
    structured: boolean | undefined,
    statementClass: StatementClass,
  ): Promise<unknown> {
    if (!this.ready) return this.prepareThenSend(sql, parameters, structured, statementClass);
    const runner = this.runner;
    return this.host.deadline.guard(runner, sql, this.#send.call(runner, sql, parameters, structured), this);
  }

  private async prepareThenSend(
    sql: string,
    parameters: unknown[] | undefined,
    structured: boolean | undefined,
    statementClass: StatementClass,
  ): Promise<unknown> {
    const host = this.host;
    // A tenant's schema is set with the transaction: its reads cannot run before BEGIN (src/tenancy).
    const readsFirst = host.bind.beginOnFirstWrite && !host.bind.tenancy?.readsInTransaction;
    if (host.state.armed && readsFirst && (statementClass & PLAIN_READ) !== 0) {
      // A plain read does not need the transaction yet: the BEGIN stays pending.
      const slots = host.bind.slots;
      if (slots && !host.holdsSlot) {
        return readOnBorrowedConnection(
          host.bind,
          slots,
          host.deadline,
          sql,
          parameters,
          structured,
          this,
          host.session,
        );
      }
      await host.prepare(undefined, true);
    } else {
      await host.prepare();
    }
    const runner = this.runner;
    return host.deadline.guard(runner, sql, this.#send.call(runner, sql, parameters, structured), this);
  }

  /** Waits until no statement of this session is in flight (their errors belong to their callers). */
  async settle(): Promise<void> {
    const last = this.last;
    if (last) await last.then(ignore, ignore);
  }

  /** Statements after close() come from a request that has ended: say so, not "connection lost". */
  lateUseError(): SessionClosedError | undefined {
    return this.released ? closedError(this.host.bind.key) : undefined;
  }
}

const ignore = (): void => undefined;

export function closedError(bindKey: string): SessionClosedError {
  return new SessionClosedError(
    `The session of bind key "${bindKey}" is closed: its request has ended. ` +
      'Work that outlives a request belongs in advancedAlchemy.withSession().',
  );
}
