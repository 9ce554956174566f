import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AdvancedAlchemy } from '../core/advanced-alchemy';

/** Opens the session scope of every HTTP request; the module installs it for all routes. */
@Injectable()
export class SessionScopeMiddleware implements NestMiddleware {
  constructor(private readonly alchemy: AdvancedAlchemy) {}

  use(request: IncomingMessage, response: ServerResponse, next: () => void): void {
    // A WebSocket upgrade (Fastify routes it, e.g. Mercurius' subscriptions) is a connection, not a
    // unit: its response never ends, so a scope would hold its sessions for the socket's whole life.
    // What runs over the socket gets units of its own (docs/entry-points.md).
    if (isWebSocketUpgrade(request)) return next();
    this.alchemy.runRequest(response, next);
  }
}

function isWebSocketUpgrade(request: IncomingMessage): boolean {
  return request.headers.upgrade?.toLowerCase() === 'websocket';
}
