import type { IncomingMessage } from 'node:http';
import { ImproperConfigurationError } from '../errors/improper-configuration.error';
import type { Bind } from '../session/bind';
import type { SessionScope } from '../session/session-scope';
import type { ReplacementResponse } from './response-gate';

/**
 * A bind key whose `commitMode` nobody stated runs the seed's `manual`, which rolls back what the
 * handler did not commit. An application moved from `@nestjs/typeorm` (which committed each save)
 * would then answer 201 and store nothing, and its tests would pass on the answer. So a unit of work
 * that ends with writes nobody committed, on such a bind key, fails instead: every time, in every
 * environment. A stated `commitMode: 'manual'` keeps the seed's silent rollback (and its warning).
 *
 * Every unit of work applies it here, before its scope ends (an HTTP request, `withSession`, an
 * entry point's handler): undefined when nothing is refused, else the refusal, which the caller
 * turns into what its unit fails with (`error`, `response`). A refused scope commits nothing.
 */
export function refuseUnstatedWrites(scope: SessionScope, committed?: Bind): RefusedWrites | undefined {
  for (const session of scope.sessions) {
    if (session === undefined || session.bind.key === committed?.key) continue; // `withSession`'s own key commits
    if (session.bind.refusesUncommittedWrites && session.uncommittedWrites > 0 && !session.rolledBackByCaller) {
      return new RefusedWrites(session.bindKey, session.uncommittedWrites);
    }
  }
  return undefined;
}

/** Uncommitted writes on a bind key with an unstated commitMode, at the end of a unit of work. */
export class RefusedWrites {
  constructor(
    readonly bindKey: string,
    /** Data-changing statements nobody committed. */
    readonly writes: number,
  ) {}

  /** What went wrong and the three ways out, for the log, the 500's body and the error a unit throws. */
  message(unit: string): string {
    const key = this.bindKey;
    return (
      `${unit} wrote to bind key "${key}" (${this.writes} data-changing statement(s)) and nothing ` +
      `committed it: its commitMode is not stated, so it is 'manual', which rolls back what the handler does not ` +
      `commit. Nothing was stored. Set commitMode: 'autocommit' on bind key "${key}" to commit on a 2xx, or call ` +
      `session.commit() in the handler, or state commitMode: 'manual' to accept the rollback.`
    );
  }

  /** The error a message handler or `withSession` call fails with. */
  error(unit: string): ImproperConfigurationError {
    return new ImproperConfigurationError(this.message(unit));
  }

  /** The 500 that replaces the request's answer: the client must not believe its write was stored. */
  response(message: string): ReplacementResponse {
    return {
      statusCode: 500,
      headers: {},
      body: JSON.stringify({ statusCode: 500, error: 'Internal Server Error', message }),
    };
  }
}

/** `POST /books/:id` on Express (its matched route), else the method and the path without the query. */
export function routeOf(request: IncomingMessage | undefined): string {
  if (!request) return 'A request';
  const express = request as IncomingMessage & { route?: { path?: unknown }; baseUrl?: string };
  const path =
    typeof express.route?.path === 'string'
      ? `${express.baseUrl ?? ''}${express.route.path}`
      : (request.url ?? '/').split('?')[0];
  return `${request.method ?? 'GET'} ${path}`;
}
