import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AdvancedAlchemy } from '../core/advanced-alchemy';

/** Opens the session scope of every HTTP request; the module installs it for all routes. */
@Injectable()
export class SessionScopeMiddleware implements NestMiddleware {
  constructor(private readonly alchemy: AdvancedAlchemy) {}

  use(_request: IncomingMessage, response: ServerResponse, next: () => void): void {
    this.alchemy.runRequest(response, next);
  }
}
