import { Logger } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import type { DataSource } from 'typeorm';
import { DEFAULT_BIND_KEY, type AlchemyConfig } from '../config/alchemy-config';
import { commitsOnStatus } from '../config/commit-mode';
import { commitFailedResponse, holdResponseUntilSessionsEnd, type ReplacementResponse } from '../commit/response-gate';
import { UncommittedWritesWarning } from '../commit/uncommitted-writes-warning';
import { isConnectionError } from '../session/connection-errors';
import { ImproperConfigurationError } from '../errors/improper-configuration.error';
import { SessionScopeError } from '../errors/session-scope.error';
import type { Bind } from '../session/bind';
import { DatabaseSession } from '../session/database-session';
import { ScopedSession } from '../session/scoped-session';
import type { Session } from '../session/session';
import { SessionScope, sessionScopeStorage, type ScopeEnding } from '../session/session-scope';
import { openBind } from './open-bind';
import { describeError } from './secret-scrubber';

/** How long shutdown waits for sessions in flight before closing the pools. */
const SHUTDOWN_DRAIN_MS = 10_000;

/**
 * The seed's `AdvancedAlchemy` extension object: the configured bind keys, their DataSources and
 * sessions. Injectable anywhere once `AdvancedAlchemyModule` is imported.
 */
export class AdvancedAlchemy {
  readonly #logger = new Logger('AdvancedAlchemy');
  readonly #uncommittedWrites = new UncommittedWritesWarning(this.#logger);
  readonly #binds: Bind[] = [];
  readonly #byKey = new Map<string, Bind>();
  readonly #scoped = new Map<string, ScopedSession>();
  /** Connection passwords, scrubbed from everything the module logs or throws. */
  readonly #secrets: string[] = [];
  #closing?: Promise<void>;

  constructor(
    /** The normalised configurations, one per bind key, in declaration order. */
    readonly config: readonly AlchemyConfig[],
  ) {}

  /** TypeORM is asynchronous only, so this is always true (kept for the seed's API). */
  get isAsyncEnabled(): boolean {
    return true;
  }

  /** The bind keys, in declaration order. */
  get bindKeys(): string[] {
    return this.config.map((config) => config.bindKey);
  }

  /** Opens every bind key's DataSource; on failure closes those already open and rethrows. */
  async initialize(): Promise<void> {
    try {
      for (const [index, config] of this.config.entries()) {
        const bind = await openBind(config, index, this.#secrets);
        this.#binds.push(bind);
        this.#byKey.set(bind.key, bind);
        config.attach({
          createSession: () => new DatabaseSession(bind),
          close: () => this.closeBind(bind),
        });
      }
    } catch (error) {
      await this.closeEngines();
      throw error;
    }
  }

  /** The TypeORM DataSource of a bind key. */
  getDataSource(bindKey: string = DEFAULT_BIND_KEY): DataSource {
    return this.bind(bindKey).dataSource;
  }

  /**
   * The current request's (or `withSession` call's) session for a bind key, created on first use.
   * With a single config and no key given, that config's session whatever its key.
   */
  getSession(bindKey?: string): Session {
    return this.scopedSession(this.resolveKey(bindKey)).current;
  }

  /** The scoped proxy `@InjectSession(bindKey)` injects. */
  scopedSession(bindKey: string = DEFAULT_BIND_KEY): ScopedSession {
    let scoped = this.#scoped.get(bindKey);
    if (!scoped) {
      scoped = new ScopedSession(this.bind(bindKey));
      this.#scoped.set(bindKey, scoped);
    }
    return scoped;
  }

  /**
   * Runs `work` in a fresh session scope, for code outside a request (a script, a cron job, a
   * test): commits the bind key's session when `work` resolves, rolls back when it throws. Sessions
   * of other bind keys used inside follow their commit mode (`manual` ones are rolled back).
   */
  withSession<T>(work: (session: Session) => Promise<T>): Promise<T>;
  withSession<T>(bindKey: string, work: (session: Session) => Promise<T>): Promise<T>;
  async withSession<T>(
    bindKeyOrWork: string | ((session: Session) => Promise<T>),
    maybeWork?: (session: Session) => Promise<T>,
  ): Promise<T> {
    const work = typeof bindKeyOrWork === 'function' ? bindKeyOrWork : maybeWork;
    if (typeof work !== 'function') {
      throw new TypeError('withSession needs a function: withSession(bindKey, async (session) => …).');
    }
    const bind = this.bind(this.resolveKey(typeof bindKeyOrWork === 'string' ? bindKeyOrWork : undefined));
    const scope = new SessionScope();
    return sessionScopeStorage.run(scope, async () => {
      let result: T;
      try {
        result = await work(this.scopedSession(bind.key));
      } catch (error) {
        this.report(await scope.end(() => false), `withSession('${bind.key}')`);
        throw error;
      }
      const ending = await scope.end((candidate) => candidate === bind || candidate.commitMode !== 'manual');
      this.report(ending, `withSession('${bind.key}')`);
      if (ending.commitError !== undefined) throw ending.commitError;
      return result;
    });
  }

  /**
   * Runs the rest of an HTTP request in its own session scope. When the request opens its first
   * session, its response is held until every session is committed or rolled back by the status
   * the client is about to receive.
   */
  runRequest(response: ServerResponse, next: () => void): void {
    sessionScopeStorage.run(new SessionScope(this.#holdResponse, response), next);
  }

  /** Installed once per request that opens a session (or uses jsonify): holds its response until the scope ends. */
  readonly #holdResponse = (scope: SessionScope): void => {
    holdResponseUntilSessionsEnd(
      scope.response as ServerResponse,
      (status) => this.endRequestScope(scope, status),
      () => scope.responseOverride,
    );
  };

  /**
   * Ends a scope outside HTTP (a message handler): on success commits every session not in
   * `manual` mode, otherwise rolls back. Returns the commit error, if any.
   */
  async endOutsideHttp(scope: SessionScope, succeeded: boolean): Promise<unknown> {
    const ending = await scope.end((bind) => succeeded && bind.commitMode !== 'manual');
    this.report(ending, succeeded ? 'a message handler completed' : 'a message handler failed');
    return ending.commitError;
  }

  /**
   * Closes every DataSource the module opened (the seed's `close_engines`); safe to call twice.
   * New sessions are refused at once (503); sessions still open — requests in flight — get up to
   * `drainTimeoutMs` to commit or roll back before the pools close.
   */
  closeEngines(drainTimeoutMs = SHUTDOWN_DRAIN_MS): Promise<void> {
    for (const bind of this.#binds) bind.closing = true;
    this.#closing ??= Promise.all(
      this.#binds.map(async (bind) => {
        await bind.drain(drainTimeoutMs);
        if (bind.openSessions > 0) {
          this.#logger.warn(
            `Closing bind key "${bind.key}" with ${bind.openSessions} session(s) still open after ${drainTimeoutMs} ms.`,
          );
        }
        await this.closeBind(bind);
      }),
    ).then(() => undefined);
    return this.#closing;
  }

  /** The message of an error with every connection password removed: safe to log or show. */
  redact(error: unknown): string {
    return describeError(error, this.#secrets);
  }

  /** The run-time bind of a key, or an error naming the keys that exist. */
  bind(bindKey: string): Bind {
    const bind = this.#byKey.get(bindKey);
    if (bind) return bind;
    if (this.#binds.length === 0) {
      throw new SessionScopeError('AdvancedAlchemy is not initialised yet: use it after the application has started.');
    }
    throw new ImproperConfigurationError(
      `No session maker found for bind key "${bindKey}". Configured bind keys: ${this.bindKeys.map((key) => `"${key}"`).join(', ')}.`,
    );
  }

  private resolveKey(bindKey: string | undefined): string {
    if (bindKey !== undefined) return bindKey;
    return this.config.length === 1 ? this.config[0].bindKey : DEFAULT_BIND_KEY;
  }

  private async endRequestScope(scope: SessionScope, status: number): Promise<ReplacementResponse | undefined> {
    this.#uncommittedWrites.check(scope, status);
    const ending = await scope.end((bind) => commitsOnStatus(bind.commitMode, status));
    this.report(ending, `the request answered ${status}`);
    if (ending.commitError === undefined) return undefined;
    return commitFailedResponse(isConnectionError(ending.commitError));
  }

  private report(ending: ScopeEnding, context: string): void {
    if (ending.commitError !== undefined) {
      this.#logger.error(`Commit failed after ${context}: ${describeError(ending.commitError, this.#secrets)}`);
    }
    for (const { bindKey, error } of ending.closeErrors) {
      this.#logger.warn(
        `Closing the session of bind key "${bindKey}" after ${context} failed: ${describeError(error, this.#secrets)}`,
      );
    }
  }

  private async closeBind(bind: Bind): Promise<void> {
    if (bind.ownsDataSource && bind.dataSource.isInitialized) await bind.dataSource.destroy();
  }
}
