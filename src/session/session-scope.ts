import { AsyncLocalStorage } from 'node:async_hooks';
import type { ServerResponse } from 'node:http';
import type { HookBatch } from '../transactions/transaction-hooks';
import type { Bind } from './bind';
import { DatabaseSession, type DatabaseSessionOptions } from './database-session';
import type { ScopeKind } from '../observability/channels';
import { channels } from '../observability/channels';
import { decidedByOutcome, noteDecision, type ScopeOutcome } from '../observability/publish';

/** The options of the sessions a scope of each kind makes (shared: none allocated per session). */
const SESSION_OPTIONS: Readonly<Record<ScopeKind, DatabaseSessionOptions>> = {
  http: { kind: 'http' },
  message: { kind: 'message' },
  job: { kind: 'job' },
  tick: { kind: 'tick' },
  event: { kind: 'event' },
  withSession: { kind: 'withSession' },
  unit: { kind: 'unit' },
  sessionMaker: { kind: 'sessionMaker' },
};

/** A scope's two-phase commit: how it ended, and the sessions it ended (the scope only closes those). */
export interface ScopeTwoPhase {
  error?: unknown;
  hooks: HookBatch[];
  sessions: ReadonlySet<DatabaseSession>;
}

/**
 * Commits a scope's writing sessions of two-phase bind keys together; undefined when there is
 * nothing to do (synchronous: every scope's end passes here). Registered by src/twophase at startup.
 */
export type ScopeTwoPhaseCommit = (
  sessions: ReadonlyArray<DatabaseSession | undefined>,
  shouldCommit: (bind: Bind) => boolean,
) => Promise<ScopeTwoPhase> | undefined;

let commitTwoPhase: ScopeTwoPhaseCommit | undefined;

/** Called by src/twophase when a bind key takes part in two-phase commit; without one, scopes skip the stage. */
export function registerScopeTwoPhaseCommit(commit: ScopeTwoPhaseCommit): void {
  commitTwoPhase = commit;
}

const owners = new WeakMap<Bind, ScopeOwner>();

/** Records the module a bind key belongs to, once it is initialised (units outside a scope open theirs through it). */
export function setScopeOwner(bind: Bind, owner: ScopeOwner): void {
  owners.set(bind, owner);
}

export function scopeOwnerOf(bind: Bind): ScopeOwner | undefined {
  return owners.get(bind);
}

/** What went wrong while a scope ended its sessions. */
export interface ScopeEnding {
  /** The first commit that failed; the sessions after it were rolled back instead. */
  commitError?: unknown;
  /** The bind key whose commit failed. */
  commitBindKey?: string;
  /** When a two-phase commit failed: the bind keys it committed together (it fails as a whole). */
  twoPhaseBindKeys?: string[];
  /** Rollback or release failures: the data was not committed, but a connection may be lost. */
  closeErrors: Array<{ bindKey: string; error: unknown }>;
  /** The afterCommit / afterRollback hooks of the ended transactions, to run (their errors are logged). */
  hooks: HookBatch[];
}

/** The module a scope belongs to, as transactional units need it (`AdvancedAlchemy`). */
export interface ScopeOwner {
  /** The bind of a key; without one, the only configured key or `default`. */
  bindFor(bindKey?: string): Bind;
  /**
   * Runs `work` in a new root scope (whose session for `bind` is `session`, if given), ended as `withSession`
   * ends its scope (that bind key committed when `work` resolves, everything rolled back when it throws).
   */
  runScope<T>(bind: Bind, session: DatabaseSession | undefined, work: () => Promise<T>): Promise<T>;
}

/** A status and headers that replace the ones Nest chose (set by `jsonify`). */
export interface ResponseOverride {
  statusCode: number;
  headers: Record<string, string>;
}

/**
 * The sessions of one request (or one `withSession` call): at most one per bind key, created on
 * first use, ended together in declaration order. A child scope (a REQUIRES_NEW or NOT_SUPPORTED
 * unit) has a session of its own for one bind key and sees its parent's for the others.
 */
export class SessionScope {
  readonly #sessions: Array<DatabaseSession | undefined> = [];
  #ended = false;
  #holdRequested = false;
  #responseOverride?: ResponseOverride;

  constructor(
    /**
     * Called once, when the response must be held until the scope ends: at the first session, or
     * when `jsonify` is used. Absent outside HTTP. Shared by all scopes (no closure per request).
     */
    private readonly holdResponse?: (scope: SessionScope) => void,
    /** The HTTP response this scope belongs to, if any. */
    readonly response?: ServerResponse,
    /** The module this scope's sessions belong to. */
    readonly owner?: ScopeOwner,
    private readonly parent?: SessionScope,
    /** What the scope serves, as telemetry reports its sessions. */
    readonly kind: ScopeKind = response ? 'http' : 'withSession',
  ) {}

  /** A scope inside this one whose session for `session.bind` is `session`; the other bind keys are this scope's. */
  child(session: DatabaseSession): SessionScope {
    const child = new SessionScope(undefined, this.response, this.owner, this, this.kind);
    child.#sessions[session.bind.index] = session;
    return child;
  }

  /** Makes `session` this root scope's session for its bind key (before anything used one). */
  adopt(session: DatabaseSession): void {
    this.#sessions[session.bind.index] = session;
    this.requestResponseHold();
  }

  /** The sessions of `bind` this scope sees now and hides (its own, then its ancestors'). */
  *sessionsOf(bind: Bind): Generator<DatabaseSession> {
    const session = this.#sessions[bind.index];
    if (session !== undefined) yield session;
    if (this.parent) yield* this.parent.sessionsOf(bind);
  }

  /** The status and headers `jsonify` asked for, once its response was serialised. */
  get responseOverride(): ResponseOverride | undefined {
    return this.parent ? this.parent.responseOverride : this.#responseOverride;
  }

  /** Makes sure the response is held until the scope ends (idempotent). */
  requestResponseHold(): void {
    if (this.parent) return this.parent.requestResponseHold();
    if (this.#holdRequested) return;
    this.#holdRequested = true;
    this.holdResponse?.(this);
  }

  overrideResponse(override: ResponseOverride): void {
    if (this.parent) this.parent.overrideResponse(override);
    else this.#responseOverride = override;
  }

  /** The sessions opened so far, by bind index (a gap for a bind key not used). */
  get sessions(): ReadonlyArray<DatabaseSession | undefined> {
    return this.#sessions;
  }

  get hasSessions(): boolean {
    return this.#sessions.length > 0;
  }

  get isEnded(): boolean {
    return this.#ended;
  }

  sessionFor(bind: Bind): DatabaseSession {
    const existing = this.#sessions[bind.index];
    if (existing !== undefined) return existing;
    if (this.parent) return this.parent.sessionFor(bind);
    const session = new DatabaseSession(bind, SESSION_OPTIONS[this.kind]);
    if (this.#ended) {
      // A late session (after the response was sent) is closed at once: the proxy then says why.
      void session.close();
      return session;
    }
    this.#sessions[bind.index] = session;
    this.requestResponseHold();
    return session;
  }

  /**
   * Commits the sessions `shouldCommit` picks, in declaration order, and rolls back the rest.
   * After a failed commit the remaining sessions are rolled back, so as little as possible is
   * stored for an answer that will be an error. Every session is closed whatever happens.
   */
  async end(shouldCommit: (bind: Bind) => boolean, outcome?: ScopeOutcome): Promise<ScopeEnding> {
    this.#ended = true;
    const ending: ScopeEnding = { closeErrors: [], hooks: [] };
    const twoPhasePending = commitTwoPhase?.(this.#sessions, shouldCommit);
    const twoPhase = twoPhasePending && (await twoPhasePending);
    if (twoPhase) {
      ending.commitError = twoPhase.error;
      if (twoPhase.error !== undefined)
        ending.twoPhaseBindKeys = [...twoPhase.sessions].map((session) => session.bindKey);
      ending.hooks.push(...twoPhase.hooks);
    }
    for (const session of this.#sessions) {
      if (session === undefined) continue;
      const commits = ending.commitError === undefined && shouldCommit(session.bind);
      if (channels.transactionEnded.hasSubscribers) {
        const decidedBy = ending.commitError === undefined ? decidedByOutcome(outcome) : 'earlierCommitFailed';
        noteDecision(session, decidedBy, typeof outcome === 'number' ? outcome : undefined);
      }
      if (commits && !twoPhase?.sessions.has(session)) {
        try {
          ending.hooks.push(await session.commitTransaction());
        } catch (error) {
          ending.commitError = error;
          ending.commitBindKey = session.bindKey;
        }
      }
      try {
        ending.hooks.push(await session.closeSession());
      } catch (error) {
        ending.closeErrors.push({ bindKey: session.bindKey, error });
      }
    }
    return ending;
  }
}

/** The scope of the request or `withSession` call the current code runs in. */
export const sessionScopeStorage = new AsyncLocalStorage<SessionScope>();
