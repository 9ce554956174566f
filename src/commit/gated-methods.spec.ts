import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { holdMethods, releaseMethods, type GateHandlers } from './gated-methods';

type Method = (this: ServerResponse, ...args: unknown[]) => unknown;

/** A response whose prototype is an application's own, inheriting from Node's (what Express does). */
function expressLikeResponse(applicationPrototype: object): ServerResponse {
  const response = new ServerResponse(new IncomingMessage(new Socket()));
  Object.setPrototypeOf(response, applicationPrototype);
  return response;
}

const passThrough = (response: () => ServerResponse, original: () => Record<string, Method>): GateHandlers => ({
  writeHead: (args) => original().writeHead.apply(response(), args),
  write: (args) => original().write.apply(response(), args),
  end: (args) => original().end.apply(response(), args),
  flushHeaders: (args) => original().flushHeaders.apply(response(), args),
});

describe('gated methods on an application prototype', () => {
  // Node defines `end` on OutgoingMessage.prototype; an agent's wrapper lands on ServerResponse.prototype.
  const nodeEnd = ServerResponse.prototype.end as Method;
  const ownBefore = Object.getOwnPropertyDescriptor(ServerResponse.prototype, 'end');
  afterEach(() => {
    if (ownBefore) Object.defineProperty(ServerResponse.prototype, 'end', ownBefore);
    else delete (ServerResponse.prototype as Partial<ServerResponse>).end;
  });

  it('calls a wrapper of ServerResponse.prototype installed after the prototype was first routed', () => {
    const applicationPrototype = Object.create(ServerResponse.prototype) as object;
    // The first response routes the application prototype through the gate.
    const first = expressLikeResponse(applicationPrototype);
    let firstOriginal: Record<string, Method> = {};
    firstOriginal = holdMethods(
      first,
      passThrough(
        () => first,
        () => firstOriginal,
      ),
    );
    releaseMethods(first);

    // An agent loaded late wraps Node's own method (as APM agents and `compression`-like tools do).
    const calls: string[] = [];
    (ServerResponse.prototype as unknown as Record<string, Method>).end = function wrappedEnd(
      this: ServerResponse,
      ...args: unknown[]
    ) {
      calls.push('end');
      return nodeEnd.apply(this, args);
    };

    // A released response and a held one both reach the wrapper.
    const released = expressLikeResponse(applicationPrototype);
    released.end();
    const held = expressLikeResponse(applicationPrototype);
    let heldOriginal: Record<string, Method> = {};
    heldOriginal = holdMethods(
      held,
      passThrough(
        () => held,
        () => heldOriginal,
      ),
    );
    held.end();
    releaseMethods(held);

    expect(calls).toEqual(['end', 'end']);
  });

  it('keeps a method the application prototype defined itself', () => {
    const calls: string[] = [];
    const applicationPrototype = Object.create(ServerResponse.prototype) as Record<string, unknown>;
    applicationPrototype.end = function ownEnd(this: ServerResponse, ...args: unknown[]) {
      calls.push('own end');
      return nodeEnd.apply(this, args);
    };
    const response = expressLikeResponse(applicationPrototype);
    let original: Record<string, Method> = {};
    original = holdMethods(
      response,
      passThrough(
        () => response,
        () => original,
      ),
    );
    response.end();
    releaseMethods(response);
    expressLikeResponse(applicationPrototype).end();

    expect(calls).toEqual(['own end', 'own end']);
  });
});
