import diagnosticsChannel from 'node:diagnostics_channel';
import type { CommitMode } from '../config/commit-mode';

/**
 * The `diagnostics_channel` names the module publishes on. Subscribe with
 * `diagnostics_channel.subscribe(ALCHEMY_CHANNELS.transactionEnded, listener)`; with no subscriber
 * the module builds no payload at all.
 */
export const ALCHEMY_CHANNELS = Object.freeze({
  sessionOpened: 'nestjs-advanced-alchemy:session.opened',
  connectionAcquired: 'nestjs-advanced-alchemy:connection.acquired',
  transactionBegan: 'nestjs-advanced-alchemy:transaction.began',
  savepoint: 'nestjs-advanced-alchemy:transaction.savepoint',
  transactionEnded: 'nestjs-advanced-alchemy:transaction.ended',
  commitFailed: 'nestjs-advanced-alchemy:commit.failed',
  sessionClosed: 'nestjs-advanced-alchemy:session.closed',
  poolExhausted: 'nestjs-advanced-alchemy:pool.exhausted',
  connectionFailed: 'nestjs-advanced-alchemy:connection.failed',
  statement: 'nestjs-advanced-alchemy:statement',
});

/**
 * What a session belongs to: a request, a message handler, a queue job, a scheduled tick, an event
 * listener run on its own, `withSession`, a transactional unit of its own, a session maker.
 */
export type ScopeKind = 'http' | 'message' | 'job' | 'tick' | 'event' | 'withSession' | 'unit' | 'sessionMaker';

/**
 * Who decided how a transaction ended: the status of the HTTP response (`status`), a message
 * handler completing or failing (`handler`), `withSession`'s work resolving or throwing
 * (`withSession`), a transactional unit's work (`unit`), the code using the session calling
 * `commit()` / `rollback()` itself (`caller`), an earlier bind key's failed commit
 * (`earlierCommitFailed`: the rest are rolled back), or the session closing with the transaction open (`close`).
 */
export type DecidedBy = 'status' | 'handler' | 'withSession' | 'unit' | 'caller' | 'earlierCommitFailed' | 'close';

/** Why a transaction ended as it did. */
export interface TransactionEndReason {
  decidedBy: DecidedBy;
  /** The bind key's commit mode. */
  commitMode: CommitMode;
  /** The HTTP status that decided (when `decidedBy` is `status`). */
  status?: number;
}

/** A session took its query runner (its first statement or repository call). */
export interface SessionOpenedEvent {
  bindKey: string;
  scope: ScopeKind;
  /** The session object, the same in every event of this session (for correlating them). */
  session: object;
  /** The session's tenant, on a tenant-scoped bind key (docs/tenancy.md). */
  tenant?: string;
}

/** A connection permit of a bind key was granted (`waitMs` 0 when one was free at once). */
export interface ConnectionAcquiredEvent {
  bindKey: string;
  /** From asking for a connection permit to having the connection (the driver's checkout included). */
  waitMs: number;
  /** The session that asked (server databases; SQLite's single connection is taken by its statements). */
  session?: object;
}

/** BEGIN was sent. */
export interface TransactionBeganEvent {
  bindKey: string;
  session: object;
  isolationLevel?: string;
  readOnly: boolean;
}

/** A NESTED unit set a savepoint. */
export interface SavepointEvent {
  bindKey: string;
  session: object;
  name: string;
}

/** COMMIT or ROLLBACK finished (or COMMIT failed: `error` is set). */
export interface TransactionEndedEvent {
  bindKey: string;
  session: object;
  outcome: 'commit' | 'rollback';
  /** From BEGIN to the end. */
  durationMs: number;
  reason: TransactionEndReason;
  /** The error COMMIT failed with. */
  error?: unknown;
}

/** COMMIT failed. With `outcomeUnknown` the connection was lost: the COMMIT may or may not have been applied. */
export interface CommitFailedEvent {
  bindKey: string;
  session: object;
  error: unknown;
  /** The error's class name (`QueryFailedError`, `DatabaseUnavailableError` …). */
  errorClass: string;
  outcomeUnknown: boolean;
}

/** The session gave its connection back. */
export interface SessionClosedEvent {
  bindKey: string;
  session: object;
  /** From the connection being taken (the session opening, on SQLite) to its release. */
  heldMs?: number;
}

/** A session waited `poolTimeout` for a connection and got none (`SessionAcquireTimeoutError`). */
export interface PoolExhaustedEvent {
  bindKey: string;
  /** The session that gave up (its first statement fails with `error`). */
  session: object;
  error: Error;
  /** The connections of the bind key (1 on SQLite). */
  capacity: number;
  /** Sessions still waiting after this one gave up. */
  waiting: number;
  /** How long this session waited for a connection before it gave up (undefined when nobody timed it). */
  waitMs?: number;
}

/**
 * A session could not get a working connection (the database refused or dropped it while the
 * session opened it, or its BEGIN): the session's statement fails with `error`
 * (`DatabaseUnavailableError`, 503).
 */
export interface ConnectionFailedEvent {
  bindKey: string;
  session: object;
  error: Error;
}

/** A statement finished. `sql` only after `publishStatementText(true)`; parameters never. */
export interface StatementEvent {
  bindKey: string;
  durationMs: number;
  failed: boolean;
  sql?: string;
}

/** The channels themselves (internal: the hot paths test `hasSubscribers` on them). */
export const channels = {
  sessionOpened: diagnosticsChannel.channel(ALCHEMY_CHANNELS.sessionOpened),
  connectionAcquired: diagnosticsChannel.channel(ALCHEMY_CHANNELS.connectionAcquired),
  transactionBegan: diagnosticsChannel.channel(ALCHEMY_CHANNELS.transactionBegan),
  savepoint: diagnosticsChannel.channel(ALCHEMY_CHANNELS.savepoint),
  transactionEnded: diagnosticsChannel.channel(ALCHEMY_CHANNELS.transactionEnded),
  commitFailed: diagnosticsChannel.channel(ALCHEMY_CHANNELS.commitFailed),
  sessionClosed: diagnosticsChannel.channel(ALCHEMY_CHANNELS.sessionClosed),
  poolExhausted: diagnosticsChannel.channel(ALCHEMY_CHANNELS.poolExhausted),
  connectionFailed: diagnosticsChannel.channel(ALCHEMY_CHANNELS.connectionFailed),
  statement: diagnosticsChannel.channel(ALCHEMY_CHANNELS.statement),
} as const;
