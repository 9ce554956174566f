import { sessionScopeStorage } from '../session/session-scope';
import { runsWithoutModule, soleOwner } from './live-owners';
import { runUnit } from './run-unit';
import { unitOptions, type TransactionOptions } from './transaction-options';

/**
 * Runs the method as a transactional unit (default `REQUIRED`: it joins the request's
 * transaction). Works on any provider, controller or plain class the module's scopes reach: it
 * wraps the method itself, with no interceptor. `@InjectSession()` sessions used inside resolve to
 * the unit's session. The options are checked where the decorator is applied. The method must
 * return a promise (an `async` method).
 *
 * @example
 *   @Transactional({ propagation: 'REQUIRES_NEW' })
 *   async audit(entry: string): Promise<void> { await this.session.query('INSERT …', [entry]); }
 */
export function Transactional(options: TransactionOptions = {}) {
  unitOptions(options);
  return <Method extends (...args: never[]) => Promise<unknown>>(
    _target: object,
    _name: string | symbol,
    descriptor: TypedPropertyDescriptor<Method>,
  ): TypedPropertyDescriptor<Method> => {
    const method = descriptor.value;
    if (typeof method !== 'function') throw new TypeError('@Transactional() decorates methods only.');
    const wrapped = function transactional(this: unknown, ...args: never[]): Promise<unknown> {
      const scope = sessionScopeStorage.getStore();
      // A unit test with the test mode on and no module running: the method just runs.
      if (scope === undefined && runsWithoutModule()) return method.apply(this, args);
      let bind;
      try {
        bind = (scope?.owner ?? soleOwner()).bindFor(options.bindKey);
      } catch (error) {
        // The method returns a promise: its failures are rejections, this one too.
        return Promise.reject(error as Error);
      }
      return runUnit(bind, () => method.apply(this, args), options);
    };
    // Nest reads route, guard and pattern metadata from the function itself: keep it on the wrapper.
    for (const key of Reflect.getOwnMetadataKeys(method)) {
      Reflect.defineMetadata(key, Reflect.getOwnMetadata(key, method), wrapped);
    }
    Object.defineProperty(wrapped, 'name', { value: method.name });
    descriptor.value = wrapped as Method;
    return descriptor;
  };
}
