import type { Logger } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { commitsOnStatus } from '../config/commit-mode';
import {
  commitFailedResponse,
  holdResponseUntilSessionsEnd,
  transactionConflictResponse,
  type ReplacementResponse,
} from '../commit/response-gate';
import { UncommittedWritesWarning } from '../commit/uncommitted-writes-warning';
import { refuseUnstatedWrites, routeOf } from '../commit/unstated-commit-mode';
import { runEndingHooksDetached } from '../entry-points/report-ending';
import { commitFailure } from '../errors/commit-outcome';
import { TransactionConflictError } from '../errors/transaction-conflict.error';
import { SessionScope, sessionScopeStorage, type ScopeEnding, type ScopeOwner } from '../session/session-scope';

/**
 * The session scopes of HTTP requests (`AdvancedAlchemy.runRequest`): one per request, whose response
 * is held from its first session until the sessions are ended by the status the client is about to
 * receive, and replaced when a commit failed.
 */
export class RequestScopes {
  readonly #uncommittedWrites: UncommittedWritesWarning;

  constructor(
    private readonly owner: ScopeOwner,
    private readonly logger: Logger,
    /** Logs what went wrong while a scope ended (AdvancedAlchemy's report, secrets removed). */
    private readonly report: (ending: ScopeEnding, context: string) => void,
  ) {
    this.#uncommittedWrites = new UncommittedWritesWarning(logger);
  }

  /** Runs the rest of the request (`next`) in a scope of its own. */
  run(response: ServerResponse, next: () => void): void {
    sessionScopeStorage.run(new SessionScope(this.#holdResponse, response, this.owner), next);
  }

  /** Installed once per request that opens a session (or uses jsonify): holds its response until the scope ends. */
  readonly #holdResponse = (scope: SessionScope): void => {
    holdResponseUntilSessionsEnd(
      scope.response as ServerResponse,
      (status) => this.end(scope, status),
      () => scope.responseOverride,
    );
  };

  private async end(scope: SessionScope, status: number): Promise<ReplacementResponse | undefined> {
    this.#uncommittedWrites.check(scope, status);
    // 1xx–3xx only: an error answer is expected to roll back, and a client gone away (0) reads nothing.
    const refused = status >= 100 && status < 400 ? refuseUnstatedWrites(scope) : undefined;
    const ending = await scope.end(
      (bind) => refused === undefined && commitsOnStatus(bind.commitMode, status),
      refused === undefined ? status : 500,
    );
    const replacement =
      ending.commitError === undefined
        ? undefined
        : ending.commitError instanceof TransactionConflictError
          ? transactionConflictResponse()
          : commitFailedResponse(commitFailure(ending.commitError));
    // The client never sees the handler's status when the commit failed: say what it is sent instead.
    this.report(
      ending,
      replacement
        ? `the request's handler answered ${status}; the client is answered ${replacement.statusCode} instead`
        : `the request answered ${status}`,
    );
    // After the response: the replacement (or the held response) is released first.
    runEndingHooksDetached(ending);
    if (refused) {
      const message = refused.message(routeOf(scope.response?.req));
      this.logger.error(message);
      return refused.response(message);
    }
    return replacement;
  }
}
