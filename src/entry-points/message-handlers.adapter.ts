import type { NestInterceptor } from '@nestjs/common';
import { NEST_METADATA } from '../core/nest-metadata-keys';
import type { EntryPointAdapter } from './entry-point-adapter';

// Metadata keys of @nestjs/microservices and @nestjs/websockets, read without importing either
// package (both are optional for users of this module).
const MESSAGE_PATTERN = 'microservices:pattern';
const GATEWAY = 'websockets:is_gateway';

/**
 * Microservice controllers and WebSocket gateways: the session-scope interceptor goes first on the
 * class, so each message is a unit of work whose reply waits for its COMMIT. A global interceptor
 * would do the same but would cost every HTTP request an rxjs pipeline; this way HTTP routes pay
 * nothing. Runs before Nest builds the handlers' contexts.
 */
export function messageHandlersAdapter(interceptor: NestInterceptor): EntryPointAdapter {
  return {
    entryPoint: 'messages',
    attach(type) {
      if (!handlesMessages(type)) return false;
      // Another application's interceptor (one made earlier in this process, for the same class) is
      // replaced: Nest reads the list when it builds an application's handlers, so that one keeps its own.
      const others = ((Reflect.getMetadata(NEST_METADATA.interceptors, type) ?? []) as unknown[]).filter(
        (existing) => !(existing instanceof Object && existing.constructor === interceptor.constructor),
      );
      Reflect.defineMetadata(NEST_METADATA.interceptors, [interceptor, ...others], type);
      return true;
    },
  };
}

function handlesMessages(type: object): boolean {
  if (Reflect.getMetadata(GATEWAY, type)) return true;
  const prototype = (type as { prototype?: Record<string, unknown> }).prototype;
  if (!prototype) return false;
  return Object.getOwnPropertyNames(prototype).some((name) => {
    const member = Object.getOwnPropertyDescriptor(prototype, name)?.value;
    return typeof member === 'function' && Reflect.getMetadata(MESSAGE_PATTERN, member) !== undefined;
  });
}
