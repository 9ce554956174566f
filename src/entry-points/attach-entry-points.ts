import type { NestInterceptor } from '@nestjs/common';
import type { DiscoveryService } from '@nestjs/core';
import type { EntryPointAdapter, HandlerClass } from './entry-point-adapter';
import { eventListenersAdapter } from './event-listeners.adapter';
import { registerHandlerOwner } from './handler-owners';
import { messageHandlersAdapter } from './message-handlers.adapter';
import { queueJobsAdapter } from './queue-jobs.adapter';
import { scheduledTicksAdapter } from './scheduled-ticks.adapter';
import type { UnitsOfWork } from './units-of-work';

/**
 * Makes every handler Nest will call outside an HTTP route a unit of work: each adapter looks at
 * each controller and provider class of the application. Runs while Nest instantiates the
 * application, before any module's `onModuleInit` (where the integrations' explorers read the
 * handlers). Returns the function that forgets this application's handler objects (at shutdown).
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
  ];
  const handled = [...discovery.getControllers(), ...discovery.getProviders()].filter((wrapper) => {
    const type = wrapper.metatype;
    if (typeof type !== 'function' || wrapper.inject) return false; // a factory's result: not a class Nest made
    let attached = false;
    for (const adapter of adapters) attached = adapter.attach(type as HandlerClass) || attached;
    return attached;
  });
  return registerHandlerOwner({ units, wrappers: handled });
}
