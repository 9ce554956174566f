import { AsyncLocalStorage } from 'node:async_hooks';
import { SessionScopeError } from '../errors/session-scope.error';
import type { Session } from '../session/session';
import { sessionScopeStorage } from '../session/session-scope';
import { runsWithoutModule, soleOwner } from '../transactions/live-owners';
import { runUnit } from '../transactions/run-unit';
import type { TransactionOptions } from '../transactions/transaction-options';

/** The transactional context one `@Transactional()` / `runInTransaction` call runs in. */
interface TransactionalContext {
  /** The unit's session; undefined in the unit-test mode, where nothing touches a database. */
  readonly session?: Session;
  /** The error the work threw, handed to rollback and completion callbacks. */
  error?: unknown;
  /** In the unit-test mode: the callbacks, run when the work resolves or throws. */
  readonly pending?: Array<(error: unknown, failed: boolean) => unknown>;
}

const contextStorage = new AsyncLocalStorage<TransactionalContext>();

/**
 * Runs `work` as a transactional unit of the module (the bind key is typeorm-transactional's
 * `connectionName`), with a context its hooks find. In the unit-test mode, with no module running, it
 * just runs `work`, then the hooks registered meanwhile.
 */
export async function runInContext<T>(work: () => Promise<T> | T, options: TransactionOptions): Promise<T> {
  const scope = sessionScopeStorage.getStore();
  if (scope === undefined && runsWithoutModule()) return passThrough(work);
  const owner = scope?.owner ?? soleOwner();
  return runUnit(
    owner.bindFor(options.bindKey),
    async (session) => {
      const context: TransactionalContext = { session };
      return contextStorage.run(context, async () => {
        try {
          return await work();
        } catch (error) {
          context.error = error;
          throw error;
        }
      });
    },
    options,
  );
}

async function passThrough<T>(work: () => Promise<T> | T): Promise<T> {
  const context: TransactionalContext = { pending: [] };
  let result: T;
  try {
    result = await contextStorage.run(context, work);
  } catch (error) {
    for (const callback of context.pending ?? []) await callback(error, true);
    throw error;
  }
  for (const callback of context.pending ?? []) await callback(undefined, false);
  return result;
}

type Outcome = 'commit' | 'rollback' | 'complete';

/** Registers a callback on the current transaction (see runOnTransactionCommit and its siblings). */
export function onTransactionEnd(outcome: Outcome, callback: (error?: unknown) => unknown, caller: string): void {
  if (typeof callback !== 'function') throw new TypeError(`${caller} needs a function, not ${typeof callback}.`);
  const context = contextStorage.getStore();
  if (context?.pending) {
    context.pending.push((error, failed) => {
      if (outcome === 'complete') return callback(error);
      if (outcome === (failed ? 'rollback' : 'commit')) return outcome === 'rollback' ? callback(error) : callback();
      return undefined;
    });
    return;
  }
  const session = context?.session ?? requestSession(caller);
  if (outcome === 'commit') session.afterCommit(() => callback());
  else if (outcome === 'rollback') session.afterRollback(() => callback(context?.error));
  else session.afterCompletion((ended) => (ended === 'committed' ? callback() : callback(context?.error)));
}

/** Outside every @Transactional(): the session of the request (or withSession) the code runs in. */
function requestSession(caller: string): Session {
  const scope = sessionScopeStorage.getStore();
  if (scope === undefined) {
    throw new SessionScopeError(
      `${caller} was called outside every transaction: call it inside a @Transactional() method, runInTransaction(), ` +
        'a request, or advancedAlchemy.withSession().',
    );
  }
  return scope.sessionFor((scope.owner ?? soleOwner()).bindFor(undefined));
}
