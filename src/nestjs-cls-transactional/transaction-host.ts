import type { EntityManager } from 'typeorm';
import { AdvancedAlchemy } from '../core/advanced-alchemy';
import { sessionScopeStorage } from '../session/session-scope';
import { runUnit } from '../transactions/run-unit';
import type { TransactionOptions } from '../transactions/transaction-options';
import { sessionBoundViews } from '../typeorm/session-bound-data-source';
import { toModuleOptions, type ClsTransactionOptions, type Propagation } from './propagation';

/** Names `@nestjs-cls/transactional`'s TypeORM adapter in type annotations; the module needs no adapter object. */
export interface TransactionalAdapterTypeOrm {
  readonly connection: 'typeorm';
}

/**
 * `@nestjs-cls/transactional`'s `TransactionHost` with its TypeORM adapter, on the module's sessions: `tx` is
 * the bind key's session-bound `EntityManager` (the request's or unit's session inside a scope, the
 * DataSource's own manager outside), `withTransaction` runs a transactional unit.
 */
// Made by TransactionHostModule, one per bind key. The type parameter only keeps `TransactionHost<TransactionalAdapterTypeOrm>` annotations compiling.
export class TransactionHost<_Adapter = TransactionalAdapterTypeOrm> {
  constructor(
    private readonly alchemy: AdvancedAlchemy,
    /** The bind key it serves (`undefined`: the only one, or `default`). */
    private readonly bindKey: string | undefined,
  ) {}

  /** The EntityManager of the current transaction (or of no transaction, outside every scope). */
  get tx(): EntityManager {
    return sessionBoundViews(this.alchemy.bindFor(this.bindKey)).manager;
  }

  /** Runs `fn` in a transaction: `(fn)`, `(propagation, fn)` or `(options, fn)`. */
  withTransaction<Result>(fn: () => Promise<Result>): Promise<Result>;
  withTransaction<Result>(propagation: Propagation | `${Propagation}`, fn: () => Promise<Result>): Promise<Result>;
  withTransaction<Result>(options: ClsTransactionOptions, fn: () => Promise<Result>): Promise<Result>;
  withTransaction<Result>(
    first: (() => Promise<Result>) | Propagation | `${Propagation}` | ClsTransactionOptions,
    maybeFn?: () => Promise<Result>,
  ): Promise<Result> {
    const fn = typeof first === 'function' ? first : maybeFn;
    if (typeof fn !== 'function') throw new TypeError('withTransaction needs a function to run.');
    const options: TransactionOptions = typeof first === 'function' ? {} : toModuleOptions(first);
    return runUnit(this.alchemy.bindFor(this.bindKey), () => fn(), options);
  }

  /** Runs `fn` outside any transaction (the module's `NOT_SUPPORTED`). */
  withoutTransaction<Result>(fn: () => Promise<Result>): Promise<Result> {
    return runUnit(this.alchemy.bindFor(this.bindKey), () => fn(), { propagation: 'NOT_SUPPORTED' });
  }

  /** Whether the code runs inside a transaction of this bind key (open, or to begin at the next statement). */
  isTransactionActive(): boolean {
    const scope = sessionScopeStorage.getStore();
    if (scope === undefined) return false;
    const bind = this.alchemy.bindFor(this.bindKey);
    const session = scope.sessionsOf(bind).next().value;
    // A BEGIN held back until the first write (docs/sessions.md) is a transaction the code is in all the same.
    return session !== undefined && (session.inTransaction || session.beginPending);
  }
}
