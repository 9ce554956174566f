import type { DatabaseSession } from '../../session/database-session';
import type { SessionScope } from '../../session/session-scope';
import { runInFrame, UnitFrame, unitFrameStorage } from '../../transactions/unit-frame';

/** A savepoint taken in one session's transaction before a field ran. */
interface Mark {
  session: DatabaseSession;
  savepoint: string;
  frame: UnitFrame;
}

/**
 * Runs one top-level field's resolver so that its database work can be undone alone: each session
 * of the operation already in a transaction gets a SAVEPOINT first (as a NESTED unit does, see
 * transactions/savepoint-unit.ts), released when the resolver resolves and rolled back to when it
 * throws; a session whose transaction began during the field holds only this field's work, so on
 * a throw that transaction is rolled back whole. No BEGIN is sent for a field that writes nothing.
 */
export async function runFieldUndoably<T>(scope: SessionScope, work: () => Promise<T>): Promise<T> {
  const marks: Mark[] = [];
  for (const session of scope.sessions) {
    if (session === undefined || !session.isActive || !session.inTransaction) continue;
    const savepoint = session.nextSavepointName();
    await session.query(`SAVEPOINT ${savepoint}`);
    marks.push({ session, savepoint, frame: new UnitFrame(session.bindKey, session.bind.secrets) });
  }
  const inTransactionBefore = new Set(marks.map((mark) => mark.session));
  try {
    const result = await inFrames(marks, work);
    for (const mark of marks) await mark.session.query(`RELEASE SAVEPOINT ${mark.savepoint}`);
    for (const mark of marks) mark.frame.hooks.moveInto(parentFrame(mark.session).hooks);
    return result;
  } catch (error) {
    await undo(scope, marks, inTransactionBefore);
    throw error;
  }
}

/** Runs `work` with each mark's frame as the innermost unit of its session (hooks attach to the field). */
function inFrames<T>(marks: readonly Mark[], work: () => Promise<T>): Promise<T> {
  return marks.reduceRight<() => Promise<T>>(
    (inner, mark) => () => runInFrame(mark.session, mark.frame, inner),
    work,
  )();
}

function parentFrame(session: DatabaseSession): UnitFrame {
  return unitFrameStorage.getStore()?.get(session) ?? session.rootFrame;
}

async function undo(scope: SessionScope, marks: readonly Mark[], before: ReadonlySet<DatabaseSession>): Promise<void> {
  for (const mark of marks) {
    try {
      await mark.session.query(`ROLLBACK TO SAVEPOINT ${mark.savepoint}`);
      await mark.session.query(`RELEASE SAVEPOINT ${mark.savepoint}`);
    } catch {
      // The transaction itself is gone (a lost connection, MySQL's deadlock rollback): the operation's
      // end rolls back what is left, and the field's own error says why.
    }
    await mark.frame.hooks.rolledBack().run();
  }
  for (const session of scope.sessions) {
    if (session === undefined || before.has(session) || !session.isActive || !session.inTransaction) continue;
    try {
      await (await session.rollbackTransaction()).run();
    } catch {
      // As above: a transaction that cannot be rolled back is gone already.
    }
  }
}
