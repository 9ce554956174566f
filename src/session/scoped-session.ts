import type { DataSource, EntityManager, EntityTarget, ObjectLiteral, Repository } from 'typeorm';
import type { IsolationLevel } from '../config/engine-config';
import { SessionScopeError } from '../errors/session-scope.error';
import type { Bind } from './bind';
import type { DatabaseSession } from './database-session';
import type { Session, SessionUnitWork } from './session';
import type { TransactionCompletionHook, TransactionHook } from '../transactions/transaction-hooks';
import type { TransactionOptions } from '../transactions/transaction-options';
import { sessionScopeStorage } from './session-scope';
import { runUnitOf } from './unit-runner';

/**
 * What `@InjectSession()` injects (like SQLAlchemy's `scoped_session`): one object for the whole
 * application, which resolves on every use to the current request's own session for its bind key.
 * Singletons can hold it; concurrent requests never share a transaction.
 */
export class ScopedSession implements Session {
  constructor(private readonly bind: Bind) {}

  /** The current scope's real session for this bind key, created on first use. */
  get current(): DatabaseSession {
    const scope = sessionScopeStorage.getStore();
    if (scope === undefined) {
      throw new SessionScopeError(
        `The session of bind key "${this.bind.key}" was used outside a request. In a script, cron job or test, ` +
          `run the work inside advancedAlchemy.withSession('${this.bind.key}', async (session) => …).`,
      );
    }
    return scope.sessionFor(this.bind);
  }

  get bindKey(): string {
    return this.bind.key;
  }

  get dataSource(): DataSource {
    return this.bind.dataSource;
  }

  get manager(): EntityManager {
    return this.current.manager;
  }

  get info(): Record<string, unknown> {
    return this.current.info;
  }

  get isActive(): boolean {
    return this.current.isActive;
  }

  get inTransaction(): boolean {
    return this.current.inTransaction;
  }

  getRepository<Entity extends ObjectLiteral>(target: EntityTarget<Entity>): Repository<Entity> {
    return this.current.getRepository(target);
  }

  query<Result = unknown>(sql: string, parameters?: unknown[]): Promise<Result> {
    return this.current.query<Result>(sql, parameters);
  }

  begin(isolationLevel?: IsolationLevel): Promise<void> {
    return this.current.begin(isolationLevel);
  }

  commit(): Promise<void> {
    return this.current.commit();
  }

  usePrimary(): void {
    this.current.usePrimary();
  }

  setStatementTimeout(timeoutMs: number): Promise<void> {
    return this.current.setStatementTimeout(timeoutMs);
  }

  rollback(): Promise<void> {
    return this.current.rollback();
  }

  close(): Promise<void> {
    return this.current.close();
  }

  transaction<T>(work: SessionUnitWork<T>, options?: Omit<TransactionOptions, 'bindKey'>): Promise<T> {
    // Outside a scope too: a unit with no transaction around it opens its own.
    return runUnitOf(this.bind, work, options ?? {});
  }

  beforeCommit(hook: TransactionHook): void {
    this.current.beforeCommit(hook);
  }

  afterCommit(hook: TransactionHook): void {
    this.current.afterCommit(hook);
  }

  afterRollback(hook: TransactionHook): void {
    this.current.afterRollback(hook);
  }

  afterCompletion(hook: TransactionCompletionHook): void {
    this.current.afterCompletion(hook);
  }
}
