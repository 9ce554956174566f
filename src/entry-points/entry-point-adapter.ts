import { MetadataScanner } from '@nestjs/core';
import type { EntryPointKind } from './entry-point-options';
import { wrapHandlerMethod, type CallStyle } from './wrap-handler-method';

/** A class Nest made a controller or provider of. */
export type HandlerClass = abstract new (...args: never[]) => object;

/**
 * One transport (a queue library, a scheduler, an event emitter, message handlers): given a class
 * of the application, makes the handlers Nest calls on it for this transport run as units of work.
 * It reads the integration's metadata by its keys, never importing the integration's package.
 * Returns whether the class has such handlers.
 */
export interface EntryPointAdapter {
  readonly entryPoint: EntryPointKind;
  attach(type: HandlerClass): boolean;
}

const scanner = new MetadataScanner();

/**
 * An adapter whose handlers are methods found by their metadata: `handlersOf` names the methods of
 * a class (and how each call ends), `wrapHandlerMethod` does the rest.
 */
export function methodAdapter(
  entryPoint: EntryPointKind,
  handlersOf: (type: HandlerClass) => Array<{ name: string; style: CallStyle }>,
): EntryPointAdapter {
  return {
    entryPoint,
    attach(type) {
      const handlers = handlersOf(type);
      for (const { name, style } of handlers) wrapHandlerMethod(type.prototype as object, name, entryPoint, style);
      return handlers.length > 0;
    },
  };
}

/** The names of the methods of `type` that carry metadata under `key`. */
export function methodsWithMetadata(type: HandlerClass, key: string): string[] {
  return scanner
    .getAllMethodNames(type.prototype as object)
    .filter(
      (name) => Reflect.getMetadata(key, (type.prototype as Record<string, unknown>)[name] as object) !== undefined,
    );
}
