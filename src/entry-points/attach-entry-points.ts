import type { NestInterceptor } from '@nestjs/common';
import type { DiscoveryService } from '@nestjs/core';
import { STATIC_CONTEXT } from '@nestjs/core/injector/constants';
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
  readonly metatype: unknown;
  readonly inject?: unknown;
  getInstanceByContextId(contextId: typeof STATIC_CONTEXT): { instance: unknown };
}

/**
 * Makes every handler Nest will call outside an HTTP route a unit of work: each adapter looks at
 * the class of each controller and provider of the application. Runs while Nest instantiates the
 * application, before any module's `onModuleInit` (where the integrations' explorers read the
 * handlers). A provider made by `useValue` is looked at through its object's class; one made by
 * `useFactory` once Nest keeps what its factory made (still before any `onModuleInit`). Returns the
 * function that forgets this application's handler objects (at shutdown).
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
    // A factory's provider Nest has not made yet (its instance is null until the factory ran).
    if (wrapper.inject && (wrapper.instance ?? undefined) === undefined) {
      attachWhenMade(wrapper, (made) => attach(classOf(made)) && !handled.includes(wrapper) && handled.push(wrapper));
      continue;
    }
    const type = wrapper.inject || wrapper.metatype === null ? classOf(wrapper.instance) : wrapper.metatype;
    if (attach(type)) handled.push(wrapper);
  }
  return registerHandlerOwner({ units, wrappers: handled });
}

/**
 * Calls `made` with the object a factory provider's factory returns, when Nest keeps it (on the
 * wrapper's static instance host, which it sets once the factory resolved): the factory may be running
 * already, awaiting its dependencies, whatever the order Nest makes the modules in.
 */
function attachWhenMade(wrapper: ProviderWrapper, made: (instance: unknown) => unknown): void {
  const host = wrapper.getInstanceByContextId(STATIC_CONTEXT);
  let kept = host.instance;
  Object.defineProperty(host, 'instance', {
    configurable: true,
    enumerable: true,
    get: () => kept,
    set: (instance: unknown) => {
      kept = instance;
      if (instance !== null && instance !== undefined) made(instance);
    },
  });
}

function classOf(instance: unknown): unknown {
  return typeof instance === 'object' && instance !== null ? instance.constructor : undefined;
}
