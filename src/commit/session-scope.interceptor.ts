import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Observable } from 'rxjs';
import { AdvancedAlchemy } from '../core/advanced-alchemy';
import { sessionScopeStorage } from '../session/session-scope';

/**
 * Gives message handlers outside HTTP (microservice patterns, WebSocket gateways) a session scope:
 * the handler's sessions commit when it completes (non-`manual` modes) and roll back when it
 * throws. Its reply is held back until then, so a caller never sees a reply for unsaved work.
 * The module attaches it to such handlers by itself; HTTP requests get their scope from middleware.
 */
@Injectable()
export class SessionScopeInterceptor implements NestInterceptor {
  constructor(private readonly alchemy: AdvancedAlchemy) {}

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (sessionScopeStorage.getStore() !== undefined) return next.handle();
    return new Observable((subscriber) => {
      const scope = this.alchemy.createScope();
      const replies: unknown[] = [];
      const subscription = sessionScopeStorage
        .run(scope, () => next.handle())
        .subscribe({
          next: (value) => replies.push(value),
          error: (error: unknown) => {
            void this.alchemy.endOutsideHttp(scope, false).then(() => subscriber.error(error));
          },
          complete: () => {
            void this.alchemy.endOutsideHttp(scope, true).then((commitError) => {
              if (commitError !== undefined) return subscriber.error(commitError);
              for (const reply of replies) subscriber.next(reply);
              subscriber.complete();
            });
          },
        });
      return () => subscription.unsubscribe();
    });
  }
}
