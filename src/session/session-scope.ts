import { AsyncLocalStorage } from 'node:async_hooks';
import type { ServerResponse } from 'node:http';
import type { Bind } from './bind';
import { DatabaseSession } from './database-session';

/** What went wrong while a scope ended its sessions. */
export interface ScopeEnding {
  /** The first commit that failed; the sessions after it were rolled back instead. */
  commitError?: unknown;
  /** Rollback or release failures: the data was not committed, but a connection may be lost. */
  closeErrors: Array<{ bindKey: string; error: unknown }>;
}

/** A status and headers that replace the ones Nest chose (set by `jsonify`). */
export interface ResponseOverride {
  statusCode: number;
  headers: Record<string, string>;
}

/**
 * The sessions of one request (or one `withSession` call): at most one per bind key, created on
 * first use, ended together in declaration order.
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
  ) {}

  /** The status and headers `jsonify` asked for, once its response was serialised. */
  get responseOverride(): ResponseOverride | undefined {
    return this.#responseOverride;
  }

  /** Makes sure the response is held until the scope ends (idempotent). */
  requestResponseHold(): void {
    if (this.#holdRequested) return;
    this.#holdRequested = true;
    this.holdResponse?.(this);
  }

  overrideResponse(override: ResponseOverride): void {
    this.#responseOverride = override;
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
    const session = new DatabaseSession(bind);
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
  async end(shouldCommit: (bind: Bind) => boolean): Promise<ScopeEnding> {
    this.#ended = true;
    const ending: ScopeEnding = { closeErrors: [] };
    for (const session of this.#sessions) {
      if (session === undefined) continue;
      if (ending.commitError === undefined && shouldCommit(session.bind)) {
        try {
          await session.commit();
        } catch (error) {
          ending.commitError = error;
        }
      }
      try {
        await session.close();
      } catch (error) {
        ending.closeErrors.push({ bindKey: session.bindKey, error });
      }
    }
    return ending;
  }
}

/** The scope of the request or `withSession` call the current code runs in. */
export const sessionScopeStorage = new AsyncLocalStorage<SessionScope>();
