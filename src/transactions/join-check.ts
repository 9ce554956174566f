import { TransactionPropagationError } from '../errors/transaction-propagation.error';
import type { Bind } from '../session/bind';
import type { TransactionCharacteristics } from '../session/begin-transaction';
import type { DatabaseSession } from '../session/database-session';
import type { UnitOptions } from './transaction-options';

const levelName = (level: string | undefined): string => (level === undefined ? "the database's default" : level);

/** The characteristics a unit that begins its own transaction asks for. */
export function characteristicsOf(unit: UnitOptions, bind: Bind): TransactionCharacteristics {
  return { isolationLevel: unit.isolationLevel ?? bind.isolationLevel, readOnly: unit.readOnly === true };
}

/**
 * A unit that joins a transaction not begun yet begins it, with the unit's isolation level and
 * access mode: undefined when it asks for neither (the BEGIN stays lazy).
 */
export function joinCharacteristics(
  session: DatabaseSession,
  unit: UnitOptions,
): TransactionCharacteristics | undefined {
  if (!session.beginPending || (unit.isolationLevel === undefined && unit.readOnly !== true)) return undefined;
  return characteristicsOf(unit, session.bind);
}

/**
 * A joining unit cannot change the transaction it joins: asking for another isolation level or
 * access mode than the transaction began with is an error naming both (unless BEGIN is still to come).
 */
export function checkJoin(session: DatabaseSession, unit: UnitOptions): void {
  if (session.beginPending) return;
  const current = session.characteristics;
  if (unit.isolationLevel !== undefined && unit.isolationLevel !== current.isolationLevel) {
    throw new TransactionPropagationError(
      `A ${unit.propagation} unit asks for isolation level ${unit.isolationLevel}, but the transaction of bind key ` +
        `"${session.bindKey}" it joins began with ${levelName(current.isolationLevel)}. A joining unit cannot change ` +
        'it: use REQUIRES_NEW for a transaction of its own, or set the level where the transaction begins.',
    );
  }
  if (unit.readOnly !== undefined && unit.readOnly !== current.readOnly) {
    throw new TransactionPropagationError(
      `A ${unit.propagation} unit asks for a ${unit.readOnly ? 'read-only' : 'read-write'} transaction, but the ` +
        `transaction of bind key "${session.bindKey}" it joins is ${current.readOnly ? 'read-only' : 'read-write'}: ` +
        'use REQUIRES_NEW for a transaction of its own.',
    );
  }
}
