import type { DatabaseSession } from '../session/database-session';
import { characteristicsOf } from './join-check';
import type { UnitOptions } from './transaction-options';

/**
 * Runs `run` in a transaction of `session` that the unit owns: committed (beforeCommit hooks,
 * COMMIT, afterCommit hooks) when it resolves, rolled back (afterRollback hooks) when it or the
 * commit throws. With autoBegin and no special characteristics the BEGIN stays lazy, so a unit
 * that sends no statement takes no connection. With `commitAtScopeEnd` (a two-phase bind key, in a
 * scope made for the unit) the commit is left to the scope's end, which commits the unit's other
 * two-phase sessions together with it (src/twophase).
 */
export async function ownTransaction<T>(
  session: DatabaseSession,
  unit: UnitOptions,
  run: () => Promise<T>,
  commitAtScopeEnd = false,
): Promise<T> {
  try {
    if (!session.autoBegins || unit.isolationLevel !== undefined || unit.readOnly === true) {
      await session.beginWith(characteristicsOf(unit, session.bind));
    }
    const result = await run();
    if (!commitAtScopeEnd) await (await session.commitTransaction()).run();
    return result;
  } catch (error) {
    await rollBackAfter(session);
    throw error;
  }
}

async function rollBackAfter(session: DatabaseSession): Promise<void> {
  let hooks;
  try {
    hooks = await session.rollbackTransaction();
  } catch {
    // The connection itself failed (the error that got here says why); closing the session deals with it.
    return;
  }
  await hooks.run();
}
