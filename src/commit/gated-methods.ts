import { ServerResponse } from 'node:http';

export type GatedMethod = 'writeHead' | 'write' | 'end' | 'flushHeaders';
export const GATED_METHODS: readonly GatedMethod[] = ['writeHead', 'write', 'end', 'flushHeaders'];

type Method = (this: ServerResponse, ...args: unknown[]) => unknown;
/** What a held response does instead of its own writeHead/write/end/flushHeaders. */
export type GateHandlers = Record<GatedMethod, (args: unknown[]) => unknown>;

const held = new WeakMap<ServerResponse, GateHandlers>();
/** The prototypes routed through `held`, with the methods they had before. */
const routedPrototypes = new WeakMap<object, Record<GatedMethod, Method>>();

/**
 * Puts `handlers` in front of a response's writeHead/write/end/flushHeaders until `release`, and
 * returns the methods they stand in front of.
 *
 * Express swaps every response's prototype for its application's `app.response`. V8 then makes
 * each own property added to the response a slow, map-changing store: four of them cost ~15 µs
 * per request, more than the rest of the gate. So on such a prototype (never on Node's own
 * `ServerResponse.prototype`) the methods are defined once, on that application's prototype,
 * and look the response up here; a response without handlers goes straight to the method it
 * inherits, looked up at each call (a wrapper installed on Node's prototype later is still
 * called). A response that already has own methods of these names (a middleware such as
 * `compression` wrapped them) and a plain Node response (Fastify) get own properties, as before.
 */
export function holdMethods(res: ServerResponse, handlers: GateHandlers): Record<GatedMethod, Method> {
  const prototype = Object.getPrototypeOf(res) as Record<GatedMethod, Method> | null;
  // An own method of the response shadows the prototype's (cheaper to compare than to ask hasOwnProperty).
  const target = res as unknown as Record<GatedMethod, Method>;
  const routable =
    prototype !== null &&
    prototype !== ServerResponse.prototype &&
    target.writeHead === prototype.writeHead &&
    target.write === prototype.write &&
    target.end === prototype.end &&
    target.flushHeaders === prototype.flushHeaders;
  if (routable) {
    held.set(res, handlers);
    return routedPrototypes.get(prototype) ?? routeThroughHeld(prototype);
  }
  const original = {} as Record<GatedMethod, Method>;
  for (const name of GATED_METHODS) {
    original[name] = target[name];
    target[name] = (...args: unknown[]) => handlers[name](args);
  }
  return original;
}

/**
 * After release the response's methods pass straight through. Own wrappers stay in place (deleting
 * them again would turn the response into a slow dictionary-mode object); routed ones are forgotten.
 */
export function releaseMethods(res: ServerResponse): void {
  held.delete(res);
}

function routeThroughHeld(prototype: Record<GatedMethod, Method>): Record<GatedMethod, Method> {
  const original = {} as Record<GatedMethod, Method>;
  const parent = Object.getPrototypeOf(prototype) as Record<GatedMethod, Method>;
  for (const name of GATED_METHODS) {
    // A method the application prototype defines itself is kept as it was; an inherited one is looked up on
    // the parent at each call, so a wrapper installed later on Node's prototype (an APM agent) is still called.
    const own = Object.prototype.hasOwnProperty.call(prototype, name) ? prototype[name] : undefined;
    const inherited: Method =
      own ??
      function inherited(this: ServerResponse, ...args: unknown[]): unknown {
        return parent[name].apply(this, args);
      };
    original[name] = inherited;
    Object.defineProperty(prototype, name, {
      configurable: true,
      writable: true,
      enumerable: false,
      value: function gated(this: ServerResponse, ...args: unknown[]): unknown {
        const handlers = held.get(this);
        return handlers === undefined ? inherited.apply(this, args) : handlers[name](args);
      },
    });
  }
  routedPrototypes.set(prototype, original);
  return original;
}
