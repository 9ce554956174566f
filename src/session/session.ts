import type { DataSource, EntityManager, EntityTarget, ObjectLiteral, Repository } from 'typeorm';
import type { IsolationLevel } from '../config/engine-config';
import type { TransactionCompletionHook, TransactionHook } from '../transactions/transaction-hooks';
import type { TransactionOptions } from '../transactions/transaction-options';

/** The work of a transactional unit: it gets the unit's session (for REQUIRES_NEW, a new one). */
export type SessionUnitWork<T> = (session: Session) => Promise<T>;

/**
 * A unit of work on one bind key: one connection and its transaction, like a SQLAlchemy session.
 * Inside a request, `@InjectSession()` gives a scoped proxy that resolves to the request's own session.
 */
export interface Session {
  /** The bind key (database) this session works on. */
  readonly bindKey: string;
  /** The bind key's TypeORM DataSource. */
  readonly dataSource: DataSource;
  /** The EntityManager bound to this session's connection and transaction. */
  readonly manager: EntityManager;
  /** User data carried with the session (the seed's `info`). */
  readonly info: Record<string, unknown>;
  /** False once the session is closed (its request ended, or `close()` was called). */
  readonly isActive: boolean;
  /** True while a transaction is open on the database (after the first statement, with autoBegin). */
  readonly inTransaction: boolean;
  /** A repository bound to this session's transaction. */
  getRepository<Entity extends ObjectLiteral>(target: EntityTarget<Entity>): Repository<Entity>;
  /** Runs raw SQL inside this session's transaction; parameters are bound, never concatenated. */
  query<Result = unknown>(sql: string, parameters?: unknown[]): Promise<Result>;
  /** Begins a transaction now (with autoBegin it would begin at the first statement anyway). */
  begin(isolationLevel?: IsolationLevel): Promise<void>;
  /** Commits the open transaction; the next statement begins a new one. Nothing to do if none is open. */
  commit(): Promise<void>;
  /** Rolls back the open transaction; the next statement begins a new one. */
  rollback(): Promise<void>;
  /**
   * Changes the statement timeout (milliseconds, `0` = none) for the rest of this session; the
   * connection gets the bind key's `engineConfig.statementTimeout` back when the session ends.
   * Nothing to do on SQLite.
   */
  setStatementTimeout(timeoutMs: number): Promise<void>;
  /**
   * Sends every statement of this session to the primary from now on, reads too (bind keys with
   * `replicas`; nothing to do without). See docs/replicas.md.
   */
  usePrimary(): void;
  /** Rolls back what is uncommitted and gives the connection back. The module does this at the end of every request. */
  close(): Promise<void>;
  /**
   * Runs `work` as a transactional unit of this session's bind key (`propagation` REQUIRED by
   * default: it joins the open transaction). See docs/transactions.md.
   */
  transaction<T>(work: SessionUnitWork<T>, options?: Omit<TransactionOptions, 'bindKey'>): Promise<T>;
  /**
   * Runs `hook` inside the transaction just before its COMMIT, in the innermost unit the caller
   * runs in; a throw stops the commit (for a request: 500, as a failed commit).
   */
  beforeCommit(hook: TransactionHook): void;
  /** Runs `hook` once the transaction (of the innermost unit) is committed; errors are logged, never thrown. */
  afterCommit(hook: TransactionHook): void;
  /** Runs `hook` once the transaction, or the innermost NESTED unit, is rolled back; errors are logged. */
  afterRollback(hook: TransactionHook): void;
  /**
   * Runs `hook` once the transaction (or the innermost NESTED unit) has ended either way, told which
   * (`'committed'` or `'rolledBack'`), after that outcome's afterCommit / afterRollback hooks; errors are logged.
   */
  afterCompletion(hook: TransactionCompletionHook): void;
}
