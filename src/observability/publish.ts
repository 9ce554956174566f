import { SessionAcquireTimeoutError } from '../errors/session-acquire-timeout.error';
import type { Bind } from '../session/bind';
import { isCommitOutcomeUnknown } from '../errors/commit-outcome';
import {
  channels,
  type CommitFailedEvent,
  type ConnectionAcquiredEvent,
  type ConnectionFailedEvent,
  type DecidedBy,
  type PoolExhaustedEvent,
  type ScopeKind,
  type SessionClosedEvent,
  type SessionOpenedEvent,
  type StatementEvent,
  type TransactionBeganEvent,
  type TransactionEndedEvent,
  type TransactionEndReason,
} from './channels';

// Every function here is called only after its caller checked `hasSubscribers` of the channel:
// with nobody listening the hot paths allocate nothing and call nothing of this file.

/** The session as the publishers see it (DatabaseSession; an interface to keep this file out of its imports). */
export interface ObservedSession {
  readonly bind: Bind;
  readonly scopeKind: ScopeKind;
  /** The tenant of a session of a tenant-scoped bind key (src/tenancy). */
  readonly tenant?: string;
}

interface SessionTimes {
  connectedAt?: number;
  openedAt: number;
  begunAt?: number;
  reason?: TransactionEndReason;
}

const times = new WeakMap<object, SessionTimes>();
let statementText = false;

/** Makes statement events carry the SQL text (never its parameters). Off by default. */
export function publishStatementText(enabled: boolean): void {
  statementText = enabled;
}

function timesOf(session: object): SessionTimes {
  let found = times.get(session);
  if (!found) {
    found = { openedAt: performance.now() };
    times.set(session, found);
  }
  return found;
}

export function publishSessionOpened(session: ObservedSession): void {
  timesOf(session);
  const event: SessionOpenedEvent = { bindKey: session.bind.key, scope: session.scopeKind, session };
  if (session.tenant !== undefined) event.tenant = session.tenant;
  channels.sessionOpened.publish(event);
}

/** Whether connection checkouts are to be timed (for their own event or the held time of the session's close). */
export function tracksConnections(): boolean {
  return channels.connectionAcquired.hasSubscribers || channels.sessionClosed.hasSubscribers;
}

/** The session has its connection (a server database's checkout, waited for since `waitFrom`): held time counts from here. */
export function connectionTaken(session: ObservedSession, waitFrom: number): void {
  const now = performance.now();
  timesOf(session).connectedAt = now;
  if (channels.connectionAcquired.hasSubscribers) publishConnectionAcquired(session.bind.key, now - waitFrom, session);
}

export function publishSessionClosed(session: ObservedSession): void {
  const found = times.get(session);
  // A server database's connection is held from its checkout: a session that never got one (it gave up
  // waiting, or only read on borrowed connections) held none. SQLite's from the session's first statement.
  const from = session.bind.slots ? found?.connectedAt : (found?.connectedAt ?? found?.openedAt);
  const event: SessionClosedEvent = {
    bindKey: session.bind.key,
    session,
    heldMs: from === undefined ? undefined : performance.now() - from,
  };
  times.delete(session);
  channels.sessionClosed.publish(event);
}

export function publishConnectionAcquired(bindKey: string, waitMs: number, session?: object): void {
  const event: ConnectionAcquiredEvent = { bindKey, waitMs, session };
  channels.connectionAcquired.publish(event);
}

/**
 * Publishes the pool's exhaustion when `error` is the wait for a connection running out (waited since
 * `waitFrom`, -1 when untimed): the session never held a connection.
 */
export function poolExhaustedIf(session: ObservedSession, error: unknown, waitFrom = -1): void {
  if (!(error instanceof SessionAcquireTimeoutError)) return;
  const slots = session.bind.slots;
  const event: PoolExhaustedEvent = {
    bindKey: session.bind.key,
    session,
    error,
    capacity: slots?.capacity ?? 1,
    waiting: slots?.waiting ?? 0,
    waitMs: waitFrom >= 0 ? performance.now() - waitFrom : undefined,
  };
  channels.poolExhausted.publish(event);
}

/** The session could not get a working connection: `error` is what its statement fails with. */
export function connectionFailed(session: ObservedSession, error: Error): void {
  const event: ConnectionFailedEvent = { bindKey: session.bind.key, session, error };
  channels.connectionFailed.publish(event);
}

export function publishTransactionBegan(
  session: ObservedSession,
  characteristics: { isolationLevel?: string; readOnly: boolean },
): void {
  const found = timesOf(session);
  found.begunAt = performance.now();
  found.reason = undefined;
  const event: TransactionBeganEvent = {
    bindKey: session.bind.key,
    session,
    isolationLevel: characteristics.isolationLevel,
    readOnly: characteristics.readOnly,
  };
  channels.transactionBegan.publish(event);
}

export function publishSavepoint(session: ObservedSession, name: string): void {
  channels.savepoint.publish({ bindKey: session.bind.key, session, name });
}

/** Notes why the scope ends the session's transaction as it does (read by the ended event that follows). */
export function noteDecision(session: ObservedSession, decidedBy: DecidedBy, status?: number): void {
  timesOf(session).reason = { decidedBy, commitMode: session.bind.commitMode, status };
}

/** The scope's outcome, as `SessionScope.end` is told it: an HTTP status, or how the work ended. */
export type ScopeOutcome = number | 'completed' | 'failed' | 'resolved' | 'threw';

export function decidedByOutcome(outcome: ScopeOutcome | undefined): DecidedBy {
  if (typeof outcome === 'number') return 'status';
  if (outcome === 'completed' || outcome === 'failed') return 'handler';
  if (outcome === 'resolved' || outcome === 'threw') return 'withSession';
  return 'caller';
}

/** Whether BEGIN and its end are to be published (either channel has a subscriber). */
export function tracksTransactions(): boolean {
  return channels.transactionBegan.hasSubscribers || channels.transactionEnded.hasSubscribers;
}

/**
 * Publishes the end of the transaction whose BEGIN was published; nothing when none is open
 * (nothing was begun, it began before anyone subscribed, or its failed COMMIT was already published).
 */
export function publishTransactionEnded(
  session: ObservedSession,
  outcome: 'commit' | 'rollback',
  /** Who ended it when no scope noted a decision: `caller` (`unit` for a unit's own session) or `close`. */
  endedBy: 'caller' | 'close',
  error?: unknown,
): void {
  const found = times.get(session);
  const begunAt = found?.begunAt;
  if (found === undefined || begunAt === undefined) return;
  const reason = found.reason ?? {
    decidedBy: endedBy === 'caller' && session.scopeKind === 'unit' ? 'unit' : endedBy,
    commitMode: session.bind.commitMode,
  };
  found.begunAt = undefined;
  found.reason = undefined;
  const event: TransactionEndedEvent = {
    bindKey: session.bind.key,
    session,
    outcome,
    durationMs: performance.now() - begunAt,
    reason,
    error,
  };
  channels.transactionEnded.publish(event);
}

/** COMMIT failed: the commit-failed event, then the transaction's end with the error. */
export function commitFailed(session: ObservedSession, error: unknown): void {
  if (channels.commitFailed.hasSubscribers) publishCommitFailed(session, error);
  if (channels.transactionEnded.hasSubscribers) publishTransactionEnded(session, 'commit', 'caller', error);
}

function publishCommitFailed(session: ObservedSession, error: unknown): void {
  const event: CommitFailedEvent = {
    bindKey: session.bind.key,
    session,
    error,
    errorClass: error instanceof Error ? error.constructor.name : typeof error,
    outcomeUnknown: isCommitOutcomeUnknown(error),
  };
  channels.commitFailed.publish(event);
}

/** Publishes a statement event when `result` settles; `result` itself is returned to the caller untouched. */
export function observeStatement(bindKey: string, sql: string, result: Promise<unknown>): void {
  const started = performance.now();
  const publish = (failed: boolean): void => {
    const event: StatementEvent = { bindKey, durationMs: performance.now() - started, failed };
    if (statementText) event.sql = sql;
    channels.statement.publish(event);
  };
  result.then(
    () => publish(false),
    () => publish(true),
  );
}
