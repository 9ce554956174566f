import { INTERCEPTORS_METADATA } from '@nestjs/common/constants';
import type { NestInterceptor } from '@nestjs/common';
import type { DiscoveryService } from '@nestjs/core';

// Metadata keys of @nestjs/microservices and @nestjs/websockets, read without importing either
// package (both are optional for users of this module).
const MESSAGE_PATTERN = 'microservices:pattern';
const GATEWAY = 'websockets:is_gateway';

/**
 * Puts the session-scope interceptor first on every microservice controller and WebSocket gateway.
 * A global interceptor would do the same but would cost every HTTP request an rxjs pipeline; this
 * way HTTP routes pay nothing. Runs before Nest builds the handlers' contexts.
 */
export function attachScopeToMessageHandlers(discovery: DiscoveryService, interceptor: NestInterceptor): void {
  for (const wrapper of [...discovery.getControllers(), ...discovery.getProviders()]) {
    const type = wrapper.metatype;
    if (typeof type !== 'function' || !handlesMessages(type)) continue;
    const existing = (Reflect.getMetadata(INTERCEPTORS_METADATA, type) ?? []) as unknown[];
    if (existing.includes(interceptor)) continue;
    Reflect.defineMetadata(INTERCEPTORS_METADATA, [interceptor, ...existing], type);
  }
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
