import { AdvancedAlchemyError } from '../errors/advanced-alchemy.error';
import type { TransactionOptions } from '../transactions/transaction-options';
import type { Bind } from './bind';
import type { Session, SessionUnitWork } from './session';

/** Runs `work` as a transactional unit of `bind`; `session`, when given, is the session it must use. */
export type UnitRunner = <T>(
  bind: Bind,
  work: SessionUnitWork<T>,
  options: TransactionOptions,
  session?: Session,
) => Promise<T>;

let unitRunner: UnitRunner | undefined;

/**
 * Sessions run `session.transaction(…)` through the units of src/transactions, which sit above
 * the session core: they register here when they load, so the core does not import them.
 */
export function registerUnitRunner(runner: UnitRunner): void {
  unitRunner = runner;
}

export function runUnitOf<T>(
  bind: Bind,
  work: SessionUnitWork<T>,
  options: TransactionOptions,
  session?: Session,
): Promise<T> {
  if (unitRunner === undefined) {
    throw new AdvancedAlchemyError(
      `No transactional units are registered for bind key "${bind.key}": import AdvancedAlchemyModule (it loads them).`,
    );
  }
  return unitRunner(bind, work, options, session);
}
