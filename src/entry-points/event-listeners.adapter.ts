import { methodAdapter, methodsWithMetadata } from './entry-point-adapter';

// Metadata key of `@OnEvent` (@nestjs/event-emitter), read without importing it.
const EVENT_LISTENER = 'EVENT_LISTENER_METADATA';

/**
 * `@OnEvent` listeners: called inside an open unit of work (a request emitting synchronously) they
 * join it, as any code does; called after it ended (`async: true`, an event emitted from an
 * afterCommit hook) or outside any, each call is a unit of its own.
 */
export const eventListenersAdapter = methodAdapter('events', (type) =>
  methodsWithMetadata(type, EVENT_LISTENER).map((name) => ({ name, style: 'join' as const })),
);
