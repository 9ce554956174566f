import type { QueryRunner } from 'typeorm';
import { ReadOnlyTransactionError } from '../errors/read-only-transaction.error';
import { isConnectionError } from '../errors/connection-errors';
import { destroyDriverConnection } from '../session/pool-guard';
import { sessionScopeStorage, type SessionScope } from '../session/session-scope';
import type { Bind } from '../session/bind';
import { PLAIN_READ, READS, WRITES, type StatementClass } from '../session/statement-kind';
import type { PrimaryPath, StatementRoute } from '../session/statement-route';
import type { TransactionCharacteristics } from '../session/begin-transaction';
import type { ReplicaPool } from './replica-pool';
import { ReplicaSet } from './replica-set';
import { routeModeOf } from './route-mode';

const ignore = (): void => undefined;
type StatementFn = (this: unknown, sql: string, parameters?: unknown[], structured?: boolean) => Promise<unknown>;

/**
 * The replica side of one session. Until the session's first statement that is not a plain read,
 * its plain reads go to one replica, chosen at the first of them, outside any transaction there;
 * from that statement on (or `usePrimary()`, or a `@UsePrimary()` route) everything goes to the
 * primary, for good. In a `@ReadOnly()` route the reads stay on the replica and writes fail here.
 */
export class ReplicaRouter implements StatementRoute {
  #onPrimary = false;
  /** Inside a read-only unit that reads from the replica (no transaction on either server). */
  #readOnlyUnit = false;
  #pool?: ReplicaPool;
  #runner?: Promise<QueryRunner | undefined>;
  /** Replicas this session found unreachable: it does not try them again. */
  readonly #tried = new Set<ReplicaPool>();
  /** The last statement sent to the replica: the connection goes back once it has settled. */
  #last: Promise<unknown> = Promise.resolve();
  readonly #scope: SessionScope | undefined = sessionScopeStorage.getStore();

  constructor(
    private readonly replicas: ReplicaSet,
    private readonly bindKey: string,
    /** How long a replica may take to answer before its connection is dropped (0 = no limit). */
    private readonly deadlineMs: number,
  ) {}

  /** Whether the session has switched to the primary (after a write, `usePrimary()`, a `@UsePrimary()` route). */
  get onPrimary(): boolean {
    return this.#onPrimary;
  }

  /** The replica this session reads from, once it has read (for tests and logs). */
  get replica(): ReplicaPool | undefined {
    return this.#pool;
  }

  /**
   * Runs `sql` where the session's state says: on its replica, or through `onPrimary` (the
   * session's own path to the primary, with its pending BEGIN).
   */
  run(
    sql: string,
    parameters: unknown[] | undefined,
    structured: boolean | undefined,
    statementClass: StatementClass,
    primary: PrimaryPath,
  ): Promise<unknown> {
    if (this.#onPrimary) return primary.sendToPrimary(sql, parameters, structured, statementClass);
    const mode = routeModeOf(this.#scope);
    if (mode === 'primary' || ((statementClass & PLAIN_READ) === 0 && mode !== 'read-only' && !this.#readOnlyUnit)) {
      this.usePrimary();
      return primary.sendToPrimary(sql, parameters, structured, statementClass);
    }
    if ((statementClass & PLAIN_READ) === 0) {
      if ((statementClass & (WRITES | READS)) !== 0) return Promise.reject(this.readOnlyError(sql));
      // Transaction control of a read-only unit: the primary, while the reads stay on the replica.
      return primary.sendToPrimary(sql, parameters, structured, statementClass);
    }
    const pending = this.onReplica(sql, parameters, structured, statementClass, primary);
    this.#last = pending.then(ignore, ignore);
    return pending;
  }

  /**
   * A `readOnly` unit is about to begin its transaction: while the session has not written, the unit
   * reads from the replica instead, with no transaction anywhere, and its writes fail. Only under an
   * isolation level where each statement sees its own snapshot anyway (READ COMMITTED, PostgreSQL's
   * default): a REPEATABLE READ or SERIALIZABLE unit needs one snapshot, so it begins on the primary.
   */
  beginReadOnly({ readOnly, isolationLevel }: TransactionCharacteristics, type: string): boolean {
    if (!readOnly || this.#onPrimary || routeModeOf(this.#scope) === 'primary') return false;
    const level = isolationLevel ?? (type === 'postgres' ? 'READ COMMITTED' : 'REPEATABLE READ');
    if (level !== 'READ COMMITTED' && level !== 'READ UNCOMMITTED') return false;
    this.#readOnlyUnit = true;
    return true;
  }

  /** The unit's commit or rollback: true when it was a read-only unit on the replica. */
  endReadOnly(): boolean {
    const was = this.#readOnlyUnit;
    this.#readOnlyUnit = false;
    return was;
  }

  /** Sends everything to the primary from now on (`session.usePrimary()`). */
  usePrimary(): void {
    if (this.#onPrimary) return;
    this.#onPrimary = true;
    void this.release();
  }

  /** Gives the replica connection back once its last statement has settled. */
  async release(): Promise<void> {
    const runner = this.#runner;
    this.#runner = undefined;
    if (runner === undefined) return;
    await this.#last;
    const taken = await runner.catch(() => undefined);
    if (taken !== undefined && this.#pool !== undefined) await this.#pool.checkin(taken).catch(ignore);
  }

  private async onReplica(
    sql: string,
    parameters: unknown[] | undefined,
    structured: boolean | undefined,
    statementClass: StatementClass,
    primary: PrimaryPath,
  ): Promise<unknown> {
    for (;;) {
      const pending = (this.#runner ??= this.checkout());
      const runner = await pending;
      // No replica can answer: the primary does (outside a transaction when the session reads only).
      if (runner === undefined || this.#onPrimary)
        return primary.sendToPrimary(sql, parameters, structured, statementClass);
      const pool = this.#pool as ReplicaPool;
      try {
        return await this.withinDeadline(
          runner,
          (runner.query as StatementFn).call(runner, sql, parameters, structured),
        );
      } catch (error) {
        if (!isConnectionError(error)) throw error;
        pool.markDown(error, this.replicas.backoffMs);
        this.#tried.add(pool);
        if (this.#runner === pending) {
          this.#runner = undefined;
          await pool.checkin(runner, true).catch(ignore);
        }
      }
    }
  }

  /**
   * A replica that stops answering without closing its socket (frozen, network gone) would hold the
   * request: past the deadline its connection is dropped, which fails the statement as a lost
   * connection, and the statement goes to another replica or the primary.
   */
  private withinDeadline(runner: QueryRunner, pending: Promise<unknown>): Promise<unknown> {
    if (this.deadlineMs === 0) return pending;
    const timer = setTimeout(
      () => destroyDriverConnection((runner as { databaseConnection?: unknown }).databaseConnection),
      this.deadlineMs,
    );
    return pending.finally(() => clearTimeout(timer));
  }

  /** A connection to the next replica that answers; undefined when none does. */
  private async checkout(): Promise<QueryRunner | undefined> {
    for (;;) {
      const pool = this.replicas.pick(this.#tried);
      if (pool === undefined) {
        this.#pool = undefined;
        return undefined;
      }
      try {
        const runner = await pool.checkout();
        this.#pool = pool;
        pool.markUp();
        return runner;
      } catch (error) {
        if (!isConnectionError(error)) throw error;
        pool.markDown(error, this.replicas.backoffMs);
        this.#tried.add(pool);
      }
    }
  }

  private readOnlyError(sql: string): ReadOnlyTransactionError {
    const verb = /[A-Za-z]+/.exec(sql.replace(/^(?:\s|--[^\n]*\n|\/\*[\s\S]*?\*\/|\()*/, ''))?.[0] ?? 'statement';
    return new ReadOnlyTransactionError(
      `A ${verb.toUpperCase()} statement that writes or locks was sent in a ${this.#readOnlyUnit ? 'readOnly unit' : '@ReadOnly() route'} of bind key "${this.bindKey}", ` +
        `which reads from a replica only. ${this.#readOnlyUnit ? 'Drop readOnly from the unit' : 'Remove @ReadOnly() from the route'}, or move the write out of it.`,
    );
  }
}

/** The replica stage of `bind`'s statement pipeline: each session gets a router of its own. */
export function routeReadsToReplicas(bind: Bind, replicas: ReplicaSet): void {
  bind.replicas = replicas;
  ReplicaSet.register(bind, replicas);
  const deadlineMs = bind.deadlineFor(bind.statementTimeoutMs);
  bind.pipeline.routeWith(() => new ReplicaRouter(replicas, bind.key, deadlineMs));
}
