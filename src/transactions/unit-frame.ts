import { AsyncLocalStorage } from 'node:async_hooks';
import { SerialQueue } from './serial-queue';
import { TransactionHooks } from './transaction-hooks';

/**
 * One level of a session's transaction: the transaction itself, or a NESTED unit (a savepoint)
 * inside it. Hooks registered while it runs attach to it; NESTED units started in it queue on it.
 */
export class UnitFrame {
  readonly hooks: TransactionHooks;
  readonly nestedUnits = new SerialQueue();

  constructor(bindKey: string, secrets: readonly string[]) {
    this.hooks = new TransactionHooks(bindKey, secrets);
  }
}

/**
 * The innermost NESTED unit the current code runs in, per session (an object key: each session
 * is one transaction). Absent for a session: the code runs at its transaction's top level.
 */
export const unitFrameStorage = new AsyncLocalStorage<ReadonlyMap<object, UnitFrame>>();

/** Runs `work` with `frame` as the innermost unit of `session`. */
export function runInFrame<T>(session: object, frame: UnitFrame, work: () => Promise<T>): Promise<T> {
  const frames = new Map(unitFrameStorage.getStore());
  frames.set(session, frame);
  return unitFrameStorage.run(frames, work);
}
