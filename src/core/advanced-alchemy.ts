import { Logger } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import type { DataSource } from 'typeorm';
import { DEFAULT_BIND_KEY, type AlchemyConfig } from '../config/alchemy-config';
import { refuseUnstatedWrites } from '../commit/unstated-commit-mode';
import { ImproperConfigurationError } from '../errors/improper-configuration.error';
import { SessionScopeError } from '../errors/session-scope.error';
import type { Bind } from '../session/bind';
import { DatabaseSession } from '../session/database-session';
import { ScopedSession } from '../session/scoped-session';
import type { Session, SessionUnitWork } from '../session/session';
import {
  SessionScope,
  sessionScopeStorage,
  setScopeOwner,
  type ScopeEnding,
  type ScopeOwner,
} from '../session/session-scope';
import { ownerStarted, ownerStopped } from '../transactions/live-owners';
import { runUnit } from '../transactions/run-unit';
import type { TransactionOptions } from '../transactions/transaction-options';
import { openBind } from './open-bind';
import { startTwoPhase, type StopTwoPhase } from '../twophase/start-two-phase';
import { isDatabaseCliBoot } from '../migrations/cli-boot-flag';
import { describeError } from './secret-scrubber';
import { stopModuleTelemetry } from '../observability/telemetry';
import { reportEnding, runEndingHooks } from '../entry-points/report-ending';
import { RequestScopes } from './request-scopes';

/** How long the application's shutdown may take by default (`shutdownTimeout`). */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;

/** Module-wide run-time options. */
export interface AdvancedAlchemyRuntimeOptions {
  shutdownTimeoutMs: number;
}

/**
 * The seed's `AdvancedAlchemy` extension object: the configured bind keys, their DataSources and
 * sessions. Injectable anywhere once `AdvancedAlchemyModule` is imported.
 */
export class AdvancedAlchemy implements ScopeOwner {
  readonly #logger = new Logger('AdvancedAlchemy');
  readonly #requests = new RequestScopes(this, this.#logger, (ending, context) => this.report(ending, context));
  readonly #binds: Bind[] = [];
  readonly #byKey = new Map<string, Bind>();
  readonly #scoped = new Map<string, ScopedSession>();
  /** Connection passwords, scrubbed from everything the module logs or throws. */
  readonly #secrets: string[] = [];
  #closing?: Promise<void>;
  /** Stops two-phase commit's heartbeat and recovery loop, and releases this instance's lease. */
  #stopTwoPhase?: StopTwoPhase;
  #shutdownStartedAt?: number;
  readonly #shutdownTimeoutMs: number;

  constructor(
    /** The normalised configurations, one per bind key, in declaration order. */
    readonly config: readonly AlchemyConfig[],
    options: AdvancedAlchemyRuntimeOptions = { shutdownTimeoutMs: DEFAULT_SHUTDOWN_TIMEOUT_MS },
  ) {
    this.#shutdownTimeoutMs = options.shutdownTimeoutMs;
  }

  /** Notes that the application is shutting down: the shutdown timeout counts from now. */
  beginShutdown(): void {
    this.#shutdownStartedAt ??= performance.now();
  }

  /** What is left of the shutdown timeout (all of it before shutdown begins). */
  shutdownRemainingMs(): number {
    if (this.#shutdownStartedAt === undefined) return this.#shutdownTimeoutMs;
    return Math.max(0, Math.round(this.#shutdownTimeoutMs - (performance.now() - this.#shutdownStartedAt)));
  }

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
        setScopeOwner(bind, this);
        this.#binds.push(bind);
        this.#byKey.set(bind.key, bind);
        config.attach({
          createSession: () => new DatabaseSession(bind),
          close: () => this.closeBind(bind),
        });
      }
      this.#stopTwoPhase = await startTwoPhase(this.#binds, isDatabaseCliBoot());
    } catch (error) {
      await this.closeEngines();
      throw error;
    }
    ownerStarted(this);
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
    return this.runScope(bind, undefined, () => work(this.scopedSession(bind.key)));
  }

  /**
   * Runs `work` as a transactional unit of a bind key (see docs/transactions.md): inside a request
   * or `withSession` it joins that scope's transaction by default (`propagation: 'REQUIRED'`),
   * outside any it opens its own, committed when `work` resolves.
   */
  transaction<T>(bindKey: string, work: SessionUnitWork<T>, options?: Omit<TransactionOptions, 'bindKey'>): Promise<T> {
    return runUnit(this.bind(bindKey), work, options ?? {});
  }

  /** The run-time bind of a key; without one, the only configured key (or `default`). */
  bindFor(bindKey?: string): Bind {
    return this.bind(this.resolveKey(bindKey));
  }

  /**
   * Runs `work` in a fresh root scope (optionally with `session` as its session for `bind`): the
   * bind key's session commits when `work` resolves, the others by their commit mode; all roll
   * back when it throws. Hooks of the ended transactions run before this resolves.
   */
  async runScope<T>(bind: Bind, session: DatabaseSession | undefined, work: () => Promise<T>): Promise<T> {
    const scope = new SessionScope(undefined, undefined, this);
    if (session !== undefined) scope.adopt(session);
    return sessionScopeStorage.run(scope, async () => {
      let result: T;
      try {
        result = await work();
      } catch (error) {
        await this.finish(await scope.end(() => false, 'threw'), `withSession('${bind.key}')`);
        throw error;
      }
      const refused = refuseUnstatedWrites(scope, bind);
      const ending = await scope.end(
        (candidate) => refused === undefined && (candidate.key === bind.key || candidate.commitMode !== 'manual'),
        'resolved',
      );
      await this.finish(ending, `withSession('${bind.key}')`);
      if (refused) throw refused.error(`withSession('${bind.key}')`);
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
    this.#requests.run(response, next);
  }

  /**
   * Closes every DataSource the module opened (the seed's `close_engines`); safe to call twice.
   * New sessions are refused at once (503); sessions still open — requests in flight — get up to
   * `drainTimeoutMs` to commit or roll back before the pools close.
   */
  closeEngines(drainTimeoutMs = this.shutdownRemainingMs()): Promise<void> {
    ownerStopped(this);
    stopModuleTelemetry(this);
    for (const bind of this.#binds) bind.closing = true;
    this.#closing ??= (async () => {
      await Promise.all(
        this.#binds.map(async (bind) => {
          await bind.drain(drainTimeoutMs);
          if (bind.openSessions > 0) {
            this.#logger.warn(
              `Closing bind key "${bind.key}" with ${bind.openSessions} session(s) still open after ${drainTimeoutMs} ms.`,
            );
          }
        }),
      );
      // Once every request has ended: no transaction of this instance is still being decided, so
      // the other instances may recover what it leaves (its lease is deleted), before the pools close.
      await this.#stopTwoPhase?.();
      await Promise.all(this.#binds.map((bind) => this.closeBind(bind)));
    })();
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

  private async finish(ending: ScopeEnding, context: string): Promise<void> {
    this.report(ending, context);
    await runEndingHooks(ending);
  }

  private report(ending: ScopeEnding, context: string): void {
    reportEnding(this.#logger, ending, context, (error) => this.redact(error));
  }

  private async closeBind(bind: Bind): Promise<void> {
    await bind.replicas?.close();
    await bind.tenancy?.close();
    if (bind.ownsDataSource && bind.dataSource.isInitialized) await bind.dataSource.destroy();
  }
}
