import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Observable, type Subscription } from 'rxjs';
import { sessionScopeStorage } from '../session/session-scope';
import { startForMessageTenant } from '../tenancy/message-tenant';
import { runEndingHooksDetached } from './report-ending';
import { SKIP_SESSION_SCOPE } from './skip-session-scope.decorator';
import { UnitsOfWork } from './units-of-work';

/**
 * Gives message handlers outside HTTP (microservice patterns, WebSocket gateways) a unit of work:
 * the handler's sessions commit when it completes (non-`manual` modes) and roll back when it
 * throws. Its reply is held back until then, so a caller never sees a reply for unsaved work.
 * The module attaches it to such handlers by itself; HTTP requests get their scope from middleware.
 */
@Injectable()
export class SessionScopeInterceptor implements NestInterceptor {
  constructor(private readonly units: UnitsOfWork) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (sessionScopeStorage.getStore() !== undefined || !this.units.isOn('messages') || skipped(context)) {
      return next.handle();
    }
    return new Observable((subscriber) => {
      let subscription: Subscription | undefined;
      // The message's tenant (docs/tenancy.md) is resolved before the unit opens, released after it ends.
      const tenant = startForMessageTenant(
        this.units.owner,
        context,
        () => {
          const scope = this.units.open('messages');
          const replies: unknown[] = [];
          const end = async (succeeded: boolean) => {
            const ending = await this.units.end(scope, 'messages', succeeded, 'a message handler');
            tenant.release();
            runEndingHooksDetached(ending);
            return ending.commitError;
          };
          subscription = sessionScopeStorage
            .run(scope, () => next.handle())
            .subscribe({
              next: (value) => replies.push(value),
              error: (error: unknown) => {
                void end(false).then(() => subscriber.error(error));
              },
              complete: () => {
                void end(true).then((commitError) => {
                  if (commitError !== undefined) return subscriber.error(commitError);
                  for (const reply of replies) subscriber.next(reply);
                  subscriber.complete();
                });
              },
            });
        },
        (error) => subscriber.error(error),
      );
      return () => subscription?.unsubscribe();
    });
  }
}

function skipped(context: ExecutionContext): boolean {
  return Boolean(
    Reflect.getMetadata(SKIP_SESSION_SCOPE, context.getHandler()) ||
    Reflect.getMetadata(SKIP_SESSION_SCOPE, context.getClass()),
  );
}
