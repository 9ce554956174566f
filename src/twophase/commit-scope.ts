import type { Bind } from '../session/bind';
import type { DatabaseSession } from '../session/database-session';
import type { ScopeTwoPhase } from '../session/session-scope';
import { coordinatorOf } from './coordinator-of';

/**
 * When two or more sessions of two-phase bind keys wrote in their transaction and are to commit,
 * commits them together by two-phase commit; otherwise (one writer or none) returns undefined and
 * the scope commits as usual, without the extra round trips.
 */
export function commitTwoPhase(
  sessions: ReadonlyArray<DatabaseSession | undefined>,
  shouldCommit: (bind: Bind) => boolean,
): Promise<ScopeTwoPhase> | undefined {
  let writers: DatabaseSession[] | undefined;
  for (const session of sessions) {
    if (
      session === undefined ||
      !session.bind.pipeline.twoPhase ||
      !session.wroteInTwoPhase ||
      !shouldCommit(session.bind)
    )
      continue;
    (writers ??= []).push(session);
  }
  // Synchronous when there is nothing to do: every scope's end passes here.
  if (writers === undefined || writers.length < 2) return undefined;
  return commitTogether(writers);
}

async function commitTogether(writers: DatabaseSession[]): Promise<ScopeTwoPhase> {
  try {
    return { ...(await coordinatorOf(writers[0].bind).commit(writers)), sessions: new Set(writers) };
  } catch (error) {
    // Not expected (the coordinator answers its failures): the scope still closes every session.
    return { error, hooks: [], sessions: new Set(writers) };
  }
}
