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

/**
 * What this reads and changes of Nest's `InstanceWrapper` of a controller or provider: its public
 * fields only (`instance`, `metatype`, which is the factory of a `useFactory` provider, and `inject`).
 */
interface ProviderWrapper extends HandlerWrapper {
  metatype: unknown;
  readonly inject?: unknown;
}

/** The handlers of an application's providers, attached in two steps of Nest's start-up. */
export interface AttachedEntryPoints {
  /**
   * At the module's `onModuleInit` (every provider is made by then): looks at the objects of the
   * factory providers whose factory was already running when the application was first looked at.
   */
  attachLate(): void;
  /** Forgets this application's handler objects (at shutdown). */
  forget(): void;
}

/**
 * Makes every handler Nest will call outside an HTTP route a unit of work: each adapter looks at
 * the class of each controller and provider of the application. Runs while Nest instantiates the
 * application, before any module's `onModuleInit` (where the integrations' explorers read the
 * handlers). A provider made by `useValue` is looked at through its object's class; one made by
 * `useFactory` through the class of what its factory returns, as soon as the factory returns it
 * (Nest's public `metatype` of the provider is its factory: it is wrapped). A factory that had
 * already been called by then is looked at in `attachLate`.
 */
export function attachEntryPoints(
  discovery: DiscoveryService,
  units: UnitsOfWork,
  interceptor: NestInterceptor,
): AttachedEntryPoints {
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
  const handle = (wrapper: ProviderWrapper, type: unknown) => {
    if (attach(type) && !handled.includes(wrapper)) handled.push(wrapper);
  };
  const pending: ProviderWrapper[] = [];
  const wrappers = [...discovery.getControllers(), ...discovery.getProviders()] as unknown as ProviderWrapper[];
  for (const wrapper of wrappers) {
    // A factory's provider Nest has not made yet (its instance is null until the factory ran).
    if (wrapper.inject && (wrapper.instance ?? undefined) === undefined) {
      if (typeof wrapper.metatype === 'function') {
        wrapper.metatype = watchedFactory(wrapper.metatype as Factory, (made) => handle(wrapper, classOf(made)));
      }
      pending.push(wrapper);
      continue;
    }
    handle(wrapper, wrapper.inject || wrapper.metatype === null ? classOf(wrapper.instance) : wrapper.metatype);
  }
  const forget = registerHandlerOwner({ units, wrappers: handled });
  return {
    attachLate: () => {
      for (const wrapper of pending.splice(0)) handle(wrapper, classOf(wrapper.instance));
    },
    forget,
  };
}

type Factory = (...args: unknown[]) => unknown;

/**
 * The factory `factory`, calling `made` with what it returns (awaited when it returns a promise)
 * before Nest keeps it: before any module's `onModuleInit`, wherever Nest is in making the modules.
 */
function watchedFactory(factory: Factory, made: (instance: unknown) => void): Factory {
  const watched = function (this: unknown, ...args: unknown[]): unknown {
    const result = factory.apply(this, args);
    if (!isThenable(result)) {
      made(result);
      return result;
    }
    return Promise.resolve(result).then((instance) => {
      made(instance);
      return instance;
    });
  };
  Object.defineProperty(watched, 'name', { value: factory.name });
  return watched;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

function classOf(instance: unknown): unknown {
  return typeof instance === 'object' && instance !== null ? instance.constructor : undefined;
}
