import type { DataSource, EntityManager } from 'typeorm';
import type { Bind } from '../session/bind';
import { sessionScopeStorage } from '../session/session-scope';

/** What an EntityManager answers alike in and out of a session: no session is opened to read them. */
const SESSION_INDEPENDENT = new Set<PropertyKey>(['dataSource', 'connection', 'constructor']);

/**
 * The EntityManager the module hands out for a bind key (`@InjectEntityManager()`, the manager of
 * injected repositories). It is a view, resolved on every property read: inside a session scope
 * (a request, a message handler, `withSession`) it is that scope's session manager for the bind
 * key, so the work joins the session's transaction; outside every scope it is the DataSource's
 * own manager, as with `@nestjs/typeorm`. Nothing of TypeORM is patched: methods are looked up on
 * the resolved manager and called on it.
 */
export function sessionBoundManager(bind: Bind): EntityManager {
  const dataSource: DataSource = bind.dataSource;
  const own = dataSource.manager;
  return new Proxy(own, {
    get(_target, property) {
      if (SESSION_INDEPENDENT.has(property)) return Reflect.get(own, property, own);
      const scope = sessionScopeStorage.getStore();
      const manager = scope === undefined ? own : scope.sessionFor(bind).manager;
      const value: unknown = Reflect.get(manager, property, manager);
      // Called on the resolved manager, so TypeORM's own `this` stays a real EntityManager (the
      // repositories it caches never point back at this view).
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(manager) : value;
    },
    set(_target, property, value) {
      return Reflect.set(own, property, value, own);
    },
  });
}
