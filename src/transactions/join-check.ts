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
 * A unit that joins a transaction not begun yet begins it with the unit's isolation level
 * (undefined when it asks for none: the BEGIN stays lazy). Never read-only: the transaction is the
 * request's, and the request's later writes must not fail because a read-only method ran first.
 */
export function joinCharacteristics(
  session: DatabaseSession,
  unit: UnitOptions,
): TransactionCharacteristics | undefined {
  if (!session.beginPending || unit.isolationLevel === undefined) return undefined;
  return { isolationLevel: unit.isolationLevel, readOnly: false };
}

/**
 * A joining unit cannot change the transaction it joins: asking for another isolation level than
 * the transaction began with is an error naming both (unless BEGIN is still to come), and so is a
 * read-write unit (`readOnly: false`) joining a read-only transaction. `readOnly: true` on a joining
 * unit changes nothing: it is enforced where a unit begins its own transaction (REQUIRES_NEW, or
 * with no transaction around it).
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
  if (unit.readOnly === false && current.readOnly) {
    throw new TransactionPropagationError(
      `A ${unit.propagation} unit asks for a ${unit.readOnly ? 'read-only' : 'read-write'} transaction, but the ` +
        `transaction of bind key "${session.bindKey}" it joins is ${current.readOnly ? 'read-only' : 'read-write'}: ` +
        'use REQUIRES_NEW for a transaction of its own.',
    );
  }
}
