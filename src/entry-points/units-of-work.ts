import { Logger } from '@nestjs/common';
import type { AdvancedAlchemy } from '../core/advanced-alchemy';
import type { ScopeKind } from '../observability/channels';
import { SessionScope, sessionScopeStorage, type ScopeEnding } from '../session/session-scope';
import type { EntryPointRules } from './check-entry-points';
import type { EntryPointKind } from './entry-point-options';
import { reportEnding, runEndingHooks } from './report-ending';
import { tenantSourceOf, withScopeTenant } from '../tenancy/scope-tenant';
import { refuseUnstatedWrites } from '../commit/unstated-commit-mode';
import { DEFAULT_BIND_KEY } from '../config/alchemy-config';

/** The scope kind (as telemetry reports sessions) of each entry point's units. */
const SCOPE_KINDS: Readonly<Record<EntryPointKind, ScopeKind>> = {
  graphql: 'message',
  messages: 'message',
  queues: 'job',
  schedule: 'tick',
  events: 'event',
  cqrs: 'message',
};

/**
 * The one place that runs a handler call outside HTTP as a unit of work and ends it by the outcome
 * its caller sees: every adapter (message handlers, queue jobs, scheduled ticks, event listeners)
 * goes through it. A unit that resolves commits each bind key whose commit mode (or the entry
 * point's rule) is not `manual`; a unit that throws rolls everything back.
 */
export class UnitsOfWork {
  readonly #logger = new Logger('AdvancedAlchemy');

  constructor(
    private readonly alchemy: AdvancedAlchemy,
    private readonly rules: EntryPointRules,
  ) {}

  /** The module registry the units belong to (its tenancy resolves a message's tenant). */
  get owner(): object {
    return this.alchemy;
  }

  /** The message of an error with every connection password removed. */
  redact(error: unknown): string {
    return this.alchemy.redact(error);
  }

  /** Whether the module opens units of work for this entry point (`entryPoints.<kind>` is not `false`). */
  isOn(entryPoint: EntryPointKind): boolean {
    return this.rules[entryPoint] !== false;
  }

  /**
   * Runs `work` in a fresh unit of work; resolves with its result once the unit is committed (and
   * its afterCommit hooks ran), rejects with its error once it is rolled back, and rejects with the
   * commit's error when the COMMIT fails: the caller never sees success for work that was not stored.
   */
  run<T>(
    entryPoint: EntryPointKind,
    context: string,
    work: () => T | Promise<T>,
    /** The handler's arguments: a job's or message's tenant is resolved from them (docs/tenancy.md). */
    args: readonly unknown[] = [],
  ): Promise<Awaited<T>> {
    return withScopeTenant(this.alchemy, tenantSourceOf(entryPoint, args), () =>
      this.runUnit(entryPoint, context, work),
    );
  }

  private async runUnit<T>(
    entryPoint: EntryPointKind,
    context: string,
    work: () => T | Promise<T>,
  ): Promise<Awaited<T>> {
    const scope = this.open(entryPoint);
    let result: Awaited<T>;
    try {
      result = await sessionScopeStorage.run(scope, async () => await work());
    } catch (error) {
      await runEndingHooks(await this.end(scope, entryPoint, false, context));
      throw error;
    }
    const ending = await this.end(scope, entryPoint, true, context);
    await runEndingHooks(ending);
    if (ending.commitError !== undefined) throw ending.commitError;
    return result;
  }

  /**
   * Runs `hook` once the open unit `scope` has committed, never after its rollback: after the COMMIT
   * of every transaction it has open now; when it has none, once the unit ends well, after the
   * (maybe still unused) session of the bind key `idleHookKey` picks.
   */
  afterCommit(scope: SessionScope, hook: () => unknown): void {
    const open = scope.sessions.filter((session) => session?.isActive === true && session.inTransaction);
    if (open.length === 0) {
      const key = idleHookKey(this.alchemy, scope);
      sessionScopeStorage.run(scope, () => this.alchemy.getSession(key).afterCommit(hook));
      return;
    }
    let waiting = open.length;
    for (const session of open) {
      session?.afterCommit(() => {
        waiting -= 1;
        return waiting === 0 ? hook() : undefined;
      });
    }
  }

  /** A root scope for one unit of `entryPoint` (for adapters that cannot hand over their work as a function). */
  open(entryPoint: EntryPointKind): SessionScope {
    return new SessionScope(undefined, undefined, this.alchemy, undefined, SCOPE_KINDS[entryPoint]);
  }

  /**
   * Ends a unit: when it succeeded, commits the sessions whose commit mode (the entry point's rule
   * first) is not `manual`; otherwise rolls everything back. The caller runs the returned hooks.
   */
  async end(
    scope: SessionScope,
    entryPoint: EntryPointKind,
    succeeded: boolean,
    context: string,
  ): Promise<ScopeEnding> {
    const rule = this.rules[entryPoint];
    const ruleMode = rule === false ? undefined : rule.commitMode;
    // An entry point's own commitMode is a stated one: only the bind keys' unstated `manual` refuses writes.
    const refused = succeeded && ruleMode === undefined ? refuseUnstatedWrites(scope) : undefined;
    const commits = succeeded && refused === undefined;
    const ending = await scope.end(
      (bind) => commits && (ruleMode ?? bind.commitMode) !== 'manual',
      commits ? 'completed' : 'failed',
    );
    reportEnding(this.#logger, ending, `${context} ${succeeded ? 'completed' : 'failed'}`, (error) =>
      this.alchemy.redact(error),
    );
    if (refused) {
      const error = refused.error(capitalized(context));
      this.#logger.error(error.message);
      ending.commitError = error;
    }
    return ending;
  }
}

/**
 * The bind key whose session carries a hook of a unit with no transaction open (no `default` needed):
 * of the keys the unit committed with its commit mode (not `manual`), one whose session it has
 * opened already, else the only or `default` key, else the first; else the only or `default`, else
 * the first key. A session not used otherwise opens no connection: at the unit's good end it
 * "commits" with nothing to do, and runs the hook.
 */
function idleHookKey(alchemy: AdvancedAlchemy, scope: SessionScope): string {
  const keys = alchemy.bindKeys;
  const committing = keys.filter((key) => alchemy.bind(key).commitMode !== 'manual');
  const opened = new Set(scope.sessions.filter((session) => session?.isActive === true).map((s) => s?.bindKey));
  const preferred = (candidates: string[]) =>
    candidates.find((key) => opened.has(key)) ??
    (candidates.length === 1 ? candidates[0] : candidates.find((key) => key === DEFAULT_BIND_KEY)) ??
    candidates[0];
  return preferred(committing) ?? preferred(keys);
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
