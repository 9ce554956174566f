import type { NestInterceptor } from '@nestjs/common';
import type { DiscoveryService } from '@nestjs/core';
import { cqrsHandlersAdapter } from './cqrs-handlers.adapter';
import type { EntryPointAdapter, HandlerClass } from './entry-point-adapter';
import { eventListenersAdapter } from './event-listeners.adapter';
import { registerHandlerOwner, type HandlerWrapper } from './handler-owners';
import { messageHandlersAdapter } from './message-handlers.adapter';
import { queueJobsAdapter } from './queue-jobs.adapter';
import { scheduledTicksAdapter } from './scheduled-ticks.adapter';
import type { UnitsOfWork } from './units-of-work';

/** What this reads and changes of Nest's `InstanceWrapper` of a controller or provider. */
interface ProviderWrapper extends HandlerWrapper {
  metatype: unknown;
  readonly inject?: unknown;
  readonly isResolved?: boolean;
}

/**
 * Makes every handler Nest will call outside an HTTP route a unit of work: each adapter looks at
 * the class of each controller and provider of the application. Runs while Nest instantiates the
 * application, before any module's `onModuleInit` (where the integrations' explorers read the
 * handlers). A provider made by `useValue` is looked at through its object's class; one made by
 * `useFactory` once its factory has run (still before any `onModuleInit`). Returns the function that
 * forgets this application's handler objects (at shutdown).
 */
export function attachEntryPoints(
  discovery: DiscoveryService,
  units: UnitsOfWork,
  interceptor: NestInterceptor,
): () => void {
  const adapters: EntryPointAdapter[] = [
    messageHandlersAdapter(interceptor),
    queueJobsAdapter,
    scheduledTicksAdapter,
    eventListenersAdapter,
    cqrsHandlersAdapter,
  ];
  const attach = (type: unknown): boolean => {
    if (typeof type !== 'function' || type === Object) return false; // a plain object has no decorated methods
    let attached = false;
    for (const adapter of adapters) attached = adapter.attach(type as HandlerClass) || attached;
    return attached;
  };
  // Read at each handler call: a factory's provider joins the list once its factory has run.
  const handled: ProviderWrapper[] = [];
  const wrappers = [...discovery.getControllers(), ...discovery.getProviders()] as unknown as ProviderWrapper[];
  for (const wrapper of wrappers) {
    if (wrapper.inject && !wrapper.isResolved && typeof wrapper.metatype === 'function') {
      attachWhenMade(wrapper, (made) => attach(classOf(made)) && handled.push(wrapper));
      continue;
    }
    const type = wrapper.inject || wrapper.metatype === null ? classOf(wrapper.instance) : wrapper.metatype;
    if (attach(type)) handled.push(wrapper);
  }
  return registerHandlerOwner({ units, wrappers: handled });
}

/** Calls `made` with what a factory provider's factory returns (awaited), before Nest keeps it. */
function attachWhenMade(wrapper: ProviderWrapper, made: (instance: unknown) => unknown): void {
  const factory = wrapper.metatype as (...args: unknown[]) => unknown;
  wrapper.metatype = function (this: unknown, ...args: unknown[]): unknown {
    const result = factory.apply(this, args);
    if (!(result instanceof Promise)) {
      made(result);
      return result;
    }
    return result.then((instance: unknown) => {
      made(instance);
      return instance;
    });
  };
}

function classOf(instance: unknown): unknown {
  return typeof instance === 'object' && instance !== null ? instance.constructor : undefined;
}
