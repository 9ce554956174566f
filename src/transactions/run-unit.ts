import { TransactionPropagationError } from '../errors/transaction-propagation.error';
import type { Bind } from '../session/bind';
import { DatabaseSession } from '../session/database-session';
import { ScopedSession } from '../session/scoped-session';
import type { Session, SessionUnitWork } from '../session/session';
import { scopeOwnerOf, sessionScopeStorage, type SessionScope } from '../session/session-scope';
import { registerUnitRunner } from '../session/unit-runner';
import { checkJoin, joinCharacteristics } from './join-check';
import { inNewSession } from './new-session-unit';
import { ownTransaction } from './own-transaction';
import { retrying } from './retrying';
import { inSavepoint } from './savepoint-unit';
import { unitOptions, type TransactionOptions, type UnitOptions } from './transaction-options';

const scopedSessions = new WeakMap<Bind, ScopedSession>();

/** What a unit's work gets: the proxy that resolves, inside the unit, to the unit's session. */
export function unitSession(bind: Bind): Session {
  let scoped = scopedSessions.get(bind);
  if (!scoped) {
    scoped = new ScopedSession(bind);
    scopedSessions.set(bind, scoped);
  }
  return scoped;
}

/**
 * Runs `work` as a transactional unit of `bind` (see docs/transactions.md). Inside a scope the
 * unit works with the scope's session for the bind key (`session`, when given, is the one it must
 * use); outside any scope it opens one, as `withSession` does.
 */
export async function runUnit<T>(
  bind: Bind,
  work: SessionUnitWork<T>,
  options: TransactionOptions,
  session?: DatabaseSession,
): Promise<T> {
  const unit = unitOptions(options);
  const scope = sessionScopeStorage.getStore();
  if (session !== undefined && (scope === undefined || scope.sessionsOf(bind).next().value !== session)) {
    // A session made by createSessionMaker(): the unit runs with it as its scope's session.
    return runScoped(bind, session, () => runInScope(sessionScopeStorage.getStore() as SessionScope, bind, work, unit));
  }
  if (scope === undefined) return runOutsideScope(bind, work, unit);
  return runInScope(scope, bind, work, unit);
}

/**
 * Runs `work` in a child scope whose session for the bind key is `session`; outside any scope,
 * inside a root one first (for the other bind keys' sessions). The session itself stays its
 * owner's: it is neither committed nor closed here.
 */
function runScoped<T>(bind: Bind, session: DatabaseSession, work: () => Promise<T>): Promise<T> {
  const scope = sessionScopeStorage.getStore();
  if (scope !== undefined) return sessionScopeStorage.run(scope.child(session), work);
  return ownerOf(bind).runScope(bind, undefined, () => runScoped(bind, session, work));
}

function ownerOf(bind: Bind) {
  const owner = scopeOwnerOf(bind);
  if (owner === undefined) {
    throw new TransactionPropagationError(
      `Bind key "${bind.key}" is not initialised: run units once the application has started.`,
    );
  }
  return owner;
}

function runOutsideScope<T>(bind: Bind, work: SessionUnitWork<T>, unit: UnitOptions): Promise<T> {
  const owner = ownerOf(bind);
  switch (unit.propagation) {
    case 'MANDATORY':
      throw new TransactionPropagationError(
        `A MANDATORY unit of bind key "${bind.key}" ran outside any transaction (no request, message handler or ` +
          'withSession around it): call it from inside one, or use REQUIRED.',
      );
    case 'NEVER':
    case 'SUPPORTS':
    case 'NOT_SUPPORTED': {
      const session = new DatabaseSession(bind, { autoBegin: false, kind: 'unit' });
      return owner.runScope(bind, session, () => work(unitSession(bind)));
    }
    default:
      // REQUIRED, NESTED (no transaction to nest in) and REQUIRES_NEW own a new transaction.
      return retrying(unit, bind, () => {
        const session = new DatabaseSession(bind, { autoBegin: true, kind: 'unit' });
        const run = (): Promise<T> => work(unitSession(bind));
        return owner.runScope(bind, session, () => ownTransaction(session, unit, run, bind.pipeline.twoPhase));
      });
  }
}

function runInScope<T>(scope: SessionScope, bind: Bind, work: SessionUnitWork<T>, unit: UnitOptions): Promise<T> {
  const run = () => work(unitSession(bind));
  if (unit.propagation === 'REQUIRES_NEW') {
    // Leaves the enclosing session alone: a request that uses it nowhere else opens none.
    return retrying(unit, bind, () => inNewSession(scope, bind, unit, true, run));
  }
  const session = scope.sessionFor(bind);
  const transactionExists = session.autoBegins || session.inTransaction;
  switch (unit.propagation) {
    case 'MANDATORY':
      if (!transactionExists) {
        throw new TransactionPropagationError(
          `A MANDATORY unit of bind key "${bind.key}" found no transaction: its session does not begin one ` +
            '(sessionConfig.autoBegin is false) and none was begun.',
        );
      }
      return join(session, unit, run);
    case 'NEVER':
      if (transactionExists) {
        throw new TransactionPropagationError(
          `A NEVER unit of bind key "${bind.key}" ran inside a transaction: call it outside one, or use NOT_SUPPORTED ` +
            'to run it beside the transaction.',
        );
      }
      return run();
    case 'SUPPORTS':
      return transactionExists ? join(session, unit, run) : run();
    case 'REQUIRED':
      return transactionExists ? join(session, unit, run) : ownInSession(session, bind, unit, run);
    case 'NESTED':
      if (!transactionExists) return ownInSession(session, bind, unit, run);
      checkJoin(session, unit);
      return inSavepoint(session, run);
    case 'NOT_SUPPORTED':
      return transactionExists ? inNewSession(scope, bind, unit, false, run) : run();
  }
}

/** Joins the scope's transaction: the work's errors propagate, the transaction's end decides. */
async function join<T>(session: DatabaseSession, unit: UnitOptions, run: () => Promise<T>): Promise<T> {
  checkJoin(session, unit);
  const characteristics = joinCharacteristics(session, unit);
  if (characteristics !== undefined) await session.beginWith(characteristics);
  return run();
}

/** A scope's session that is in no transaction (autoBegin off): the unit begins and ends one in it. */
function ownInSession<T>(session: DatabaseSession, bind: Bind, unit: UnitOptions, run: () => Promise<T>): Promise<T> {
  return retrying(unit, bind, () => ownTransaction(session, unit, run));
}

// The session core runs `session.transaction(…)` through this feature without importing it.
registerUnitRunner((bind, work, options, session) =>
  runUnit(bind, work, options, session instanceof DatabaseSession ? session : undefined),
);
