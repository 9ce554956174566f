import { type HookKind, type TransactionCompletionHook, type TransactionHook } from '../transactions/transaction-hooks';
import { UnitFrame, unitFrameStorage } from '../transactions/unit-frame';
import type { Bind } from './bind';

/**
 * The transaction hooks of a session (`beforeCommit`, `afterCommit`, `afterRollback`,
 * `afterCompletion`): each registered on the innermost unit the calling code runs in, the
 * transaction itself (the root frame, made at the first hook or NESTED unit) at the top.
 */
export abstract class TransactionHookHost {
  #rootFrame?: UnitFrame;
  abstract readonly bind: Bind;

  /** The transaction itself, as the outermost unit: its hooks run when it ends. */
  get rootFrame(): UnitFrame {
    this.#rootFrame ??= new UnitFrame(this.bind.key, this.bind.secrets);
    return this.#rootFrame;
  }

  /** The root frame if a hook or unit made one (the end of a transaction without hooks awaits nothing). */
  protected get openRootFrame(): UnitFrame | undefined {
    return this.#rootFrame;
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
}
