import type { DatabaseSession } from '../session/database-session';
import { channels } from '../observability/channels';
import { publishSavepoint } from '../observability/publish';
import { runInFrame, UnitFrame, unitFrameStorage } from './unit-frame';

/**
 * A NESTED unit: a SAVEPOINT in the session's transaction. The work throwing rolls back to it
 * (its afterRollback hooks run, its other hooks are dropped) and the error reaches the caller;
 * resolving releases it and hands its hooks to the enclosing unit. NESTED units started at the
 * same level of one session run one after another: they share one connection.
 */
export function inSavepoint<T>(session: DatabaseSession, run: () => Promise<T>): Promise<T> {
  const parent = unitFrameStorage.getStore()?.get(session) ?? session.rootFrame;
  return parent.nestedUnits.run(async () => {
    if (session.beginPending) await session.beginWith(session.characteristics);
    const savepoint = session.nextSavepointName();
    await session.query(`SAVEPOINT ${savepoint}`);
    if (channels.savepoint.hasSubscribers) publishSavepoint(session, savepoint);
    const frame = new UnitFrame(session.bindKey, session.bind.secrets);
    let result: T;
    try {
      result = await runInFrame(session, frame, run);
    } catch (error) {
      await rollBackTo(session, savepoint);
      await frame.hooks.rolledBack().run();
      throw error;
    }
    await session.query(`RELEASE SAVEPOINT ${savepoint}`);
    frame.hooks.moveInto(parent.hooks);
    return result;
  });
}

async function rollBackTo(session: DatabaseSession, savepoint: string): Promise<void> {
  try {
    await session.query(`ROLLBACK TO SAVEPOINT ${savepoint}`);
    await session.query(`RELEASE SAVEPOINT ${savepoint}`);
  } catch {
    // The transaction itself is gone (MySQL rolls all of it back on a deadlock, a lost connection
    // ends it): the work's error, thrown next, is the one that says why.
  }
}
