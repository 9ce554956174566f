import {
  Injectable,
  UseInterceptors,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { defer, finalize, type Observable } from 'rxjs';
import { sessionScopeStorage, type SessionScope } from '../session/session-scope';

/** How a scope's sessions use the replicas: by the sticky rule (no mark), never the primary, or only the primary. */
export type RouteMode = 'read-only' | 'primary';

const modes = new WeakMap<SessionScope, RouteMode>();

/** The mark a route decorator put on a scope. */
export function routeModeOf(scope: SessionScope | undefined): RouteMode | undefined {
  return scope === undefined ? undefined : modes.get(scope);
}

/** Marks the request's scope before the handler runs (HTTP scopes begin in middleware, before the route is known). */
function markScope(mode: RouteMode): new () => NestInterceptor {
  @Injectable()
  class RouteModeInterceptor implements NestInterceptor {
    intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
      const scope = sessionScopeStorage.getStore();
      if (scope === undefined) return next.handle();
      if (context.getType<string>() !== 'graphql') {
        modes.set(scope, mode);
        return next.handle();
      }
      // The fields of a GraphQL operation share its scope (one after another): the mark holds while
      // this field resolves, and the fields after it are back to the operation's own.
      return defer(() => {
        const before = modes.get(scope);
        modes.set(scope, mode);
        return next
          .handle()
          .pipe(finalize(() => (before === undefined ? modes.delete(scope) : modes.set(scope, before))));
      });
    }
  }
  Object.defineProperty(RouteModeInterceptor, 'name', {
    value: mode === 'read-only' ? 'ReadOnlyRoute' : 'UsePrimaryRoute',
  });
  return RouteModeInterceptor;
}

const ReadOnlyRoute = markScope('read-only');
const UsePrimaryRoute = markScope('primary');

/**
 * On a route or controller: its sessions read from a replica and never use the primary (unless no
 * replica can answer); a statement that writes or locks fails with `ReadOnlyTransactionError`.
 */
export function ReadOnly(): MethodDecorator & ClassDecorator {
  return UseInterceptors(ReadOnlyRoute);
}

/** On a route or controller: its sessions use the primary only, as `session.usePrimary()` does. */
export function UsePrimary(): MethodDecorator & ClassDecorator {
  return UseInterceptors(UsePrimaryRoute);
}
