import { Logger } from '@nestjs/common';
import { sessionScopeStorage } from '../session/session-scope';
import type { EntryPointKind } from './entry-point-options';
import { unitsOf } from './handler-owners';
import { SKIP_SESSION_SCOPE } from './skip-session-scope.decorator';

/**
 * How one call of a handler becomes a unit of work:
 * - `unit`: always a unit of its own; the caller gets the result once committed, the error once rolled back
 *   (a queue job, a scheduled tick);
 * - `listener`: the same, but the error is logged instead of thrown (an event emitter would not await it);
 * - `join`: inside an open scope the handler simply joins it; otherwise a unit of its own (an event listener);
 * - `afterCommit`: inside an open scope the call waits for that scope's COMMIT (dropped on rollback) and
 *   then runs as a `listener`; otherwise at once as one (a CQRS event handler).
 */
export type CallStyle = 'unit' | 'listener' | 'join' | 'afterCommit';

type HandlerFunction = (this: object, ...args: unknown[]) => unknown;

const WRAPPED = Symbol('nestjs-advanced-alchemy:wrapped-handler');
const logger = new Logger('AdvancedAlchemy');

/**
 * Replaces the method `name` of `prototype` by one that runs each call as a unit of work of the
 * application its object belongs to. The method's metadata (Nest's decorators) is carried over, so
 * the integration's explorer still finds it. Idempotent; a method or class marked
 * `@SkipSessionScope()` is left alone.
 */
export function wrapHandlerMethod(prototype: object, name: string, entryPoint: EntryPointKind, style: CallStyle): void {
  const original = (prototype as Record<string, unknown>)[name];
  if (typeof original !== 'function' || WRAPPED in original) return;
  if (
    Reflect.getMetadata(SKIP_SESSION_SCOPE, original) ||
    Reflect.getMetadata(SKIP_SESSION_SCOPE, prototype.constructor)
  ) {
    return;
  }
  const handler = original as HandlerFunction;
  const context = `${entryPointLabel(entryPoint)} ${prototype.constructor.name}.${name}`;
  const wrapped = function (this: object, ...args: unknown[]): unknown {
    const units = unitsOf(this);
    const invoke = () => handler.apply(this, args);
    if (units === undefined || !units.isOn(entryPoint)) return invoke();
    const open = sessionScopeStorage.getStore();
    const inOpenUnit = open !== undefined && !open.isEnded;
    if (style === 'join' && inOpenUnit) return invoke();
    const runAlone = () => units.run(entryPoint, context, invoke, args);
    if (style === 'unit' || style === 'join') return runAlone();
    const logged = () =>
      runAlone().catch((error: unknown) => logger.error(`${context} failed: ${units.redact(error)}`));
    if (style === 'listener' || !inOpenUnit) return logged();
    // Outside the scope: the handler's unit must not be the committing one's child.
    units.afterCommit(open, () => sessionScopeStorage.exit(logged));
    return Promise.resolve();
  };
  for (const key of Reflect.getOwnMetadataKeys(handler)) {
    Reflect.defineMetadata(key, Reflect.getOwnMetadata(key, handler), wrapped);
  }
  Object.defineProperty(wrapped, 'name', { value: handler.name });
  Object.defineProperty(wrapped, WRAPPED, { value: handler });
  Object.defineProperty(prototype, name, { value: wrapped, writable: true, configurable: true, enumerable: false });
}

function entryPointLabel(entryPoint: EntryPointKind): string {
  switch (entryPoint) {
    case 'queues':
      return 'the queue job of';
    case 'schedule':
      return 'the scheduled tick of';
    case 'events':
      return 'the event listener';
    case 'cqrs':
      return 'the CQRS handler';
    default:
      return 'the handler';
  }
}
