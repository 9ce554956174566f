import { TransactionPropagationError } from '../errors/transaction-propagation.error';
import type { Bind } from '../session/bind';
import { DatabaseSession } from '../session/database-session';
import { sessionScopeStorage, type SessionScope } from '../session/session-scope';
import { ownTransaction } from './own-transaction';
import type { UnitOptions } from './transaction-options';

/**
 * REQUIRES_NEW (`transactional`) or NOT_SUPPORTED: the work runs in a child scope whose session
 * for the bind key is a new one, on a connection of its own; `@InjectSession()` code inside sees
 * it, and the scope's sessions of other bind keys stay what they were.
 */
export async function inNewSession<T>(
  scope: SessionScope,
  bind: Bind,
  unit: UnitOptions,
  transactional: boolean,
  run: () => Promise<T>,
): Promise<T> {
  if (bind.hasSingleConnection) refuseSecondSqliteConnection(scope, bind, unit);
  const session = new DatabaseSession(bind, { autoBegin: transactional, kind: 'unit' });
  let result: T;
  try {
    result = await sessionScopeStorage.run(scope.child(session), () =>
      transactional ? ownTransaction(session, unit, run) : run(),
    );
  } catch (error) {
    // The unit's error is the one to report; a connection that also fails to close is the pool's to replace.
    await session.closeSession().then(
      (hooks) => hooks.run(),
      () => undefined,
    );
    throw error;
  }
  await (await session.closeSession()).run();
  return result;
}

/**
 * SQLite has one connection, held by a session from its BEGIN to its end: a second session would
 * wait for the first, which waits for this unit, until `poolTimeout`. Better to say so at once.
 */
function refuseSecondSqliteConnection(scope: SessionScope, bind: Bind, unit: UnitOptions): void {
  for (const session of scope.sessionsOf(bind)) {
    if (!session.holdsConnection) continue;
    throw new TransactionPropagationError(
      `A ${unit.propagation} unit of bind key "${bind.key}" needs a second connection, but SQLite has one and the ` +
        'enclosing session holds it in its open transaction: the unit would wait for it until poolTimeout. Run the ' +
        'unit before the enclosing session sends its first statement, use NESTED (a savepoint) instead, or use a ' +
        'server database.',
    );
  }
}
