import { sessionScopeStorage } from '../session/session-scope';
import { soleOwner } from './live-owners';
import { runUnit } from './run-unit';
import { unitOptions, type TransactionOptions } from './transaction-options';

/**
 * Runs the method as a transactional unit (default `REQUIRED`: it joins the request's
 * transaction). Works on any provider, controller or plain class the module's scopes reach: it
 * wraps the method itself, with no interceptor. `@InjectSession()` sessions used inside resolve to
 * the unit's session. The options are checked where the decorator is applied.
 *
 * @example
 *   @Transactional({ propagation: 'REQUIRES_NEW' })
 *   async audit(entry: string): Promise<void> { await this.session.query('INSERT …', [entry]); }
 */
export function Transactional(options: TransactionOptions = {}): MethodDecorator {
  unitOptions(options);
  return (_target, _name, descriptor) => {
    const method = descriptor.value as unknown;
    if (typeof method !== 'function') throw new TypeError('@Transactional() decorates methods only.');
    const wrapped = function transactional(this: unknown, ...args: unknown[]): Promise<unknown> {
      const owner = sessionScopeStorage.getStore()?.owner ?? soleOwner();
      const bind = owner.bindFor(options.bindKey);
      return runUnit(bind, () => Promise.resolve(method.apply(this, args) as unknown), options);
    };
    // Nest reads route, guard and pattern metadata from the function itself: keep it on the wrapper.
    for (const key of Reflect.getOwnMetadataKeys(method)) {
      Reflect.defineMetadata(key, Reflect.getOwnMetadata(key, method), wrapped);
    }
    Object.defineProperty(wrapped, 'name', { value: method.name });
    descriptor.value = wrapped as typeof descriptor.value;
    return descriptor;
  };
}
