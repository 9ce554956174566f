import { Logger } from '@nestjs/common';
import { describeError } from '../core/secret-scrubber';

/** A function run around the end of a transaction; what it returns is awaited. */
export type TransactionHook = () => unknown;

export type HookKind = 'beforeCommit' | 'afterCommit' | 'afterRollback' | 'afterCompletion';

/** How a transaction (or a NESTED unit) ended, as an `afterCompletion` hook is told. */
export type TransactionOutcome = 'committed' | 'rolledBack';

/** A function run once the transaction ended either way, told which; what it returns is awaited. */
export type TransactionCompletionHook = (outcome: TransactionOutcome) => unknown;

const logger = new Logger('AdvancedAlchemy');

/**
 * Hooks that already know they must run (the transaction committed or rolled back). They run in
 * registration order; a failing hook is logged with its bind key and the next one still runs:
 * the outcome of the transaction is decided, a hook cannot change it.
 */
export class HookBatch {
  static readonly empty = new HookBatch('afterCommit', '', [], []);

  constructor(
    readonly kind: HookKind,
    private readonly bindKey: string,
    private readonly hooks: readonly TransactionHook[],
    private readonly secrets: readonly string[],
  ) {}

  get size(): number {
    return this.hooks.length;
  }

  async run(): Promise<void> {
    for (const hook of this.hooks) {
      try {
        await hook();
      } catch (error) {
        logger.error(
          `An ${this.kind} hook of bind key "${this.bindKey}" failed: ${describeError(error, this.secrets)}`,
          error instanceof Error ? error.stack : undefined,
        );
      }
    }
  }
}

/**
 * The hooks registered in one transactional unit. A unit that ends well hands them to its parent
 * (a released savepoint); the transaction's own end runs them.
 */
export class TransactionHooks {
  #beforeCommit: TransactionHook[] = [];
  #afterCommit: TransactionHook[] = [];
  #afterRollback: TransactionHook[] = [];
  #afterCompletion: TransactionCompletionHook[] = [];

  constructor(
    private readonly bindKey: string,
    private readonly secrets: readonly string[],
  ) {}

  add(kind: HookKind, hook: TransactionHook | TransactionCompletionHook): void {
    if (typeof hook !== 'function') throw new TypeError(`${kind} needs a function, not ${typeof hook}.`);
    if (kind === 'beforeCommit') this.#beforeCommit.push(hook as TransactionHook);
    else if (kind === 'afterCommit') this.#afterCommit.push(hook as TransactionHook);
    else if (kind === 'afterRollback') this.#afterRollback.push(hook as TransactionHook);
    else this.#afterCompletion.push(hook);
  }

  /** Moves every hook into `parent`, after its own: the unit's outcome is now the parent's. */
  moveInto(parent: TransactionHooks): void {
    parent.#beforeCommit.push(...this.#beforeCommit);
    parent.#afterCommit.push(...this.#afterCommit);
    parent.#afterRollback.push(...this.#afterRollback);
    parent.#afterCompletion.push(...this.#afterCompletion);
    this.clear();
  }

  /**
   * Runs the beforeCommit hooks inside the transaction, including those they register in turn.
   * The first that throws stops the commit: the error reaches the caller.
   */
  async runBeforeCommit(): Promise<void> {
    while (this.#beforeCommit.length > 0) {
      const hook = this.#beforeCommit.shift() as TransactionHook;
      await hook();
    }
  }

  /** The transaction committed: its afterCommit hooks, then its afterCompletion ones, to run; the others are dropped. */
  committed(): HookBatch {
    return this.settle('afterCommit', [...this.#afterCommit, ...this.completion('committed')]);
  }

  /** The transaction rolled back: its afterRollback hooks, then its afterCompletion ones, to run; the others are dropped. */
  rolledBack(): HookBatch {
    return this.settle('afterRollback', [...this.#afterRollback, ...this.completion('rolledBack')]);
  }

  private completion(outcome: TransactionOutcome): TransactionHook[] {
    return this.#afterCompletion.map((hook) => () => hook(outcome));
  }

  clear(): void {
    this.#beforeCommit = [];
    this.#afterCommit = [];
    this.#afterRollback = [];
    this.#afterCompletion = [];
  }

  private settle(kind: HookKind, hooks: TransactionHook[]): HookBatch {
    this.clear();
    return hooks.length === 0 ? HookBatch.empty : new HookBatch(kind, this.bindKey, hooks, this.secrets);
  }
}
