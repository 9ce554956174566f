import { setTimeout as sleep } from 'node:timers/promises';
import { TransactionConflictError } from '../errors/transaction-conflict.error';
import type { Bind } from '../session/bind';
import type { UnitOptions } from './transaction-options';

/** Whether the database gave the transaction up for a conflict (also when wrapped as a `cause`). */
export function isTransactionConflict(error: unknown): boolean {
  for (let depth = 0; depth < 5 && typeof error === 'object' && error !== null; depth++) {
    if (error instanceof TransactionConflictError) return true;
    error = (error as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Runs an attempt of a unit that owns its transaction, and reruns it when the database gave the
 * transaction up for a conflict: each attempt has rolled back (and dropped its afterCommit hooks)
 * before the next begins. Past `attempts` the last conflict is thrown, saying how many ran.
 */
export async function retrying<T>(unit: UnitOptions, bind: Bind, attempt: () => Promise<T>): Promise<T> {
  for (let run = 1; ; run++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isTransactionConflict(error)) throw error;
      if (run >= unit.attempts) {
        if (unit.attempts === 1) throw error;
        throw new TransactionConflictError(
          `A transaction on bind key "${bind.key}" was stopped by the database for conflicts with concurrent ` +
            `transactions ${run} times (retry.attempts = ${unit.attempts}); nothing of it was stored. The request may ` +
            'be repeated.',
          { cause: error },
        );
      }
      if (unit.backoffMs > 0) await sleep(unit.backoffMs * run);
    }
  }
}
