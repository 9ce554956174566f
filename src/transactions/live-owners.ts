import { SessionScopeError } from '../errors/session-scope.error';
import type { ScopeOwner } from '../session/session-scope';
import { transactionalTestModeEnabled } from './test-mode';

/** The initialised modules of this process: `@Transactional()` outside any scope uses the one there is. */
const liveOwners = new Set<ScopeOwner>();

export function ownerStarted(owner: ScopeOwner): void {
  liveOwners.add(owner);
}

export function ownerStopped(owner: ScopeOwner): void {
  liveOwners.delete(owner);
}

/** The module a unit started outside any request or scope belongs to. */
export function soleOwner(): ScopeOwner {
  if (liveOwners.size === 1) return liveOwners.values().next().value as ScopeOwner;
  throw new SessionScopeError(
    liveOwners.size === 0
      ? 'A @Transactional() method ran before AdvancedAlchemyModule was initialised (or after it was closed): ' +
          'call it once the application has started. (In a unit test with no database and no module, ' +
          'enableTransactionalTestMode() lets such methods just run.)'
      : `A @Transactional() method ran outside any request while ${liveOwners.size} AdvancedAlchemy modules are ` +
          'running in this process, so it cannot tell whose database to use: call it inside a request or ' +
          "withSession(), or use advancedAlchemy.transaction('bindKey', work) of the right module.",
  );
}

/** True when the unit-test mode is on and no module runs in this process: units just run their work. */
export function runsWithoutModule(): boolean {
  return liveOwners.size === 0 && transactionalTestModeEnabled();
}

/** The modules running now (telemetry reads their pools). */
export function liveOwnerList(): readonly ScopeOwner[] {
  return [...liveOwners];
}
