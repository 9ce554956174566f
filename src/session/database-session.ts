import type { DataSource, EntityManager, EntityTarget, ObjectLiteral, QueryRunner, Repository } from 'typeorm';
import type { IsolationLevel } from '../config/engine-config';
import { AdvancedAlchemyError } from '../errors/advanced-alchemy.error';
import { SessionClosedError } from '../errors/session-closed.error';
import type { Bind } from './bind';
import type { Session } from './session';

/** TypeORM keeps the nesting depth protected; the session needs to set it when it defers BEGIN. */
type Runner = Omit<QueryRunner, 'isTransactionActive'> & { isTransactionActive: boolean; transactionDepth: number };

type StatementFn = (this: unknown, sql: string, parameters?: unknown[], structured?: boolean) => Promise<unknown>;

/**
 * The real session behind the scoped proxy. It takes no connection until its first statement.
 * With autoBegin it looks to TypeORM as if a transaction were already open (so `save()` does not
 * open and commit one of its own) and sends BEGIN just before the first statement.
 */
export class DatabaseSession implements Session {
  readonly info: Record<string, unknown>;
  #runner?: Runner;
  /**
   * The runner's transaction depth when the session got it: 0, or 1 when it joined a transaction
   * that is already open (a test transaction of the testing kit). The session never ends that one.
   */
  #baseDepth = 0;
  #beginPending = false;
  #closed = false;

  constructor(readonly bind: Bind) {
    this.info = { ...bind.config.sessionConfig.info };
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

  /** Whether the session ever made a query runner (and so may hold a connection). */
  get isOpened(): boolean {
    return this.#runner !== undefined;
  }

  getRepository<Entity extends ObjectLiteral>(target: EntityTarget<Entity>): Repository<Entity> {
    return this.runner().manager.getRepository(target);
  }

  query<Result = unknown>(sql: string, parameters?: unknown[]): Promise<Result> {
    return this.runner().query(sql, parameters) as Promise<Result>;
  }

  async begin(isolationLevel?: IsolationLevel): Promise<void> {
    const runner = this.runner();
    if (this.#beginPending) return this.sendBegin(runner, isolationLevel);
    if (runner.transactionDepth > this.#baseDepth) {
      throw new AdvancedAlchemyError(
        `Session of bind key "${this.bindKey}" is already in a transaction: commit() or rollback() it before begin().`,
      );
    }
    await runner.startTransaction(isolationLevel ?? this.bind.isolationLevel);
  }

  async commit(): Promise<void> {
    const runner = this.#runner;
    if (!runner || this.#beginPending) return;
    while (runner.transactionDepth > this.#baseDepth) await runner.commitTransaction();
    this.armBegin(runner);
  }

  async rollback(): Promise<void> {
    const runner = this.#runner;
    if (!runner || this.#beginPending) return;
    while (runner.transactionDepth > this.#baseDepth) await runner.rollbackTransaction();
    this.armBegin(runner);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const runner = this.#runner;
    if (!runner) return;
    this.#runner = undefined;
    this.clearPendingBegin(runner);
    try {
      while (runner.transactionDepth > this.#baseDepth) await runner.rollbackTransaction();
    } finally {
      await runner.release();
    }
  }

  private runner(): Runner {
    if (this.#runner) return this.#runner;
    if (this.#closed) {
      throw new SessionClosedError(
        `The session of bind key "${this.bindKey}" is closed: its request has ended. ` +
          'Work that outlives a request belongs in advancedAlchemy.withSession().',
      );
    }
    const runner = this.bind.dataSource.createQueryRunner() as Runner;
    this.#baseDepth = runner.transactionDepth ?? 0;
    const runStatement = runner.query as StatementFn;
    runner.query = ((sql: string, parameters?: unknown[], structured?: boolean) =>
      this.#beginPending
        ? this.beginThenRun(runner, runStatement, sql, parameters, structured)
        : runStatement.call(runner, sql, parameters, structured)) as Runner['query'];
    this.#runner = runner;
    this.armBegin(runner);
    return runner;
  }

  private async beginThenRun(
    runner: Runner,
    runStatement: StatementFn,
    sql: string,
    parameters: unknown[] | undefined,
    structured: boolean | undefined,
  ): Promise<unknown> {
    await this.sendBegin(runner);
    return runStatement.call(runner, sql, parameters, structured);
  }

  private async sendBegin(runner: Runner, isolationLevel = this.bind.isolationLevel): Promise<void> {
    this.clearPendingBegin(runner);
    try {
      await runner.startTransaction(isolationLevel);
    } catch (error) {
      this.setDepth(runner, this.#baseDepth);
      this.armBegin(runner);
      throw error;
    }
  }

  private armBegin(runner: Runner): void {
    if (!this.bind.autoBegin) return;
    this.#beginPending = true;
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
