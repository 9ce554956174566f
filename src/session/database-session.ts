import type { DataSource, EntityManager, EntityTarget, ObjectLiteral, QueryRunner, Repository } from 'typeorm';
import type { IsolationLevel } from '../config/engine-config';
import { AdvancedAlchemyError } from '../errors/advanced-alchemy.error';
import { DatabaseUnavailableError } from '../errors/database-unavailable.error';
import { SessionClosedError } from '../errors/session-closed.error';
import type { Bind } from './bind';
import { isConnectionError } from './connection-errors';
import { isWritingStatement } from './writing-statement';
import type { Session } from './session';

/** TypeORM keeps the nesting depth protected; the session needs to set it when it defers BEGIN. */
type Runner = Omit<QueryRunner, 'isTransactionActive'> & { isTransactionActive: boolean; transactionDepth: number };

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
  /** True once the next statement can go straight to the driver (permit held, BEGIN sent). */
  #ready = false;
  /**
   * The last statement sent. A connection runs its statements in order, so once this one has
   * settled none is in flight; ending the transaction waits for it (a stream can still be
   * writing when its response is decided).
   */
  #lastStatement?: Promise<unknown>;
  #closed = false;
  /** Data-changing statements sent since the last commit or rollback, in manual mode (for its warning). */
  uncommittedWrites = 0;
  /** True once the code using the session called `rollback()` itself. */
  rolledBackByCaller = false;

  constructor(readonly bind: Bind) {}

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
    const runner = this.runner();
    if (this.#beginPending) {
      await this.prepare(runner, isolationLevel);
      return;
    }
    if (runner.transactionDepth > this.#baseDepth) {
      throw new AdvancedAlchemyError(
        `Session of bind key "${this.bindKey}" is already in a transaction: commit() or rollback() it before begin().`,
      );
    }
    await runner.startTransaction(isolationLevel ?? this.bind.isolationLevel);
  }

  async commit(): Promise<void> {
    await this.settle();
    const runner = this.#runner;
    if (!runner || this.#beginPending) return;
    while (runner.transactionDepth > this.#baseDepth) await runner.commitTransaction();
    this.uncommittedWrites = 0;
    this.armBegin(runner);
  }

  async rollback(): Promise<void> {
    this.rolledBackByCaller = true;
    this.uncommittedWrites = 0;
    await this.settle();
    const runner = this.#runner;
    if (!runner || this.#beginPending) return;
    while (runner.transactionDepth > this.#baseDepth) await runner.rollbackTransaction();
    this.armBegin(runner);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.settle();
    const runner = this.#runner;
    if (!runner) return;
    this.#runner = undefined;
    this.clearPendingBegin(runner);
    try {
      while (runner.transactionDepth > this.#baseDepth) await runner.rollbackTransaction();
    } finally {
      try {
        await runner.release();
      } finally {
        if (this.#holdsSlot) {
          this.#holdsSlot = false;
          this.bind.slots?.release();
        }
        this.bind.sessionClosed();
      }
    }
  }

  /** Waits until no statement of this session is in flight (their errors belong to their callers). */
  private async settle(): Promise<void> {
    const last = this.#lastStatement;
    if (last) await last.then(ignore, ignore);
  }

  private runner(): Runner {
    if (this.#runner) return this.#runner;
    if (this.#closed) {
      throw new SessionClosedError(
        `The session of bind key "${this.bindKey}" is closed: its request has ended. ` +
          'Work that outlives a request belongs in advancedAlchemy.withSession().',
      );
    }
    if (this.bind.closing) {
      throw new DatabaseUnavailableError(
        `The application is shutting down: bind key "${this.bindKey}" takes no new sessions.`,
      );
    }
    const runner = this.bind.dataSource.createQueryRunner() as Runner;
    this.bind.sessionOpened();
    this.#baseDepth = runner.transactionDepth ?? 0;
    const runStatement = runner.query as StatementFn;
    runner.query = ((sql: string, parameters?: unknown[], structured?: boolean) => {
      // Counted for manual mode only; outside a transaction (autoBegin off) a write commits by itself.
      if (this.bind.warnsOnUncommittedWrites && runner.transactionDepth > this.#baseDepth && isWritingStatement(sql)) {
        this.uncommittedWrites++;
      }
      return (this.#lastStatement = this.#ready
        ? runStatement.call(runner, sql, parameters, structured)
        : this.prepareThenRun(runner, runStatement, sql, parameters, structured));
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
    await this.prepare(runner);
    return runStatement.call(runner, sql, parameters, structured);
  }

  /** Takes a connection permit and sends the pending BEGIN; a lost database becomes a 503-class error. */
  private async prepare(runner: Runner, isolationLevel = this.bind.isolationLevel): Promise<void> {
    try {
      const slots = this.bind.slots;
      if (!this.#holdsSlot && slots) {
        if (!slots.tryAcquire()) await slots.acquire();
        this.#holdsSlot = true;
      }
      if (this.#beginPending) {
        this.clearPendingBegin(runner);
        try {
          await runner.startTransaction(isolationLevel);
        } catch (error) {
          this.setDepth(runner, this.#baseDepth);
          this.armBegin(runner);
          throw error;
        }
      }
      this.#ready = true;
    } catch (error) {
      if (!isConnectionError(error)) throw error;
      throw new DatabaseUnavailableError(`The database of bind key "${this.bindKey}" cannot be reached.`, {
        cause: error,
      });
    }
  }

  private armBegin(runner: Runner): void {
    if (!this.bind.autoBegin) return;
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
