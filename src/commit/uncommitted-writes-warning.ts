import type { Logger } from '@nestjs/common';
import type { SessionScope } from '../session/session-scope';
import { routeOf } from './unstated-commit-mode';

/** Routes remembered as warned; past this many, routes are not told apart any more (no unbounded growth). */
const MAX_ROUTES = 1000;

/**
 * `manual` mode never commits by itself, so a handler that forgets `session.commit()` answers
 * 201 and stores nothing. This logs that once per route and bind key: when a request that
 * answered 1xx–3xx is about to roll back data-changing statements that nobody committed, and
 * did not call `rollback()` itself (then the rollback was meant). Error answers are expected to
 * roll back and are not reported.
 */
export class UncommittedWritesWarning {
  readonly #warned = new Set<string>();

  constructor(private readonly logger: Logger) {}

  /** Call before the scope ends its sessions: their counts are reset by the rollback. */
  check(scope: SessionScope, status: number): void {
    if (status < 100 || status >= 400) return;
    for (const session of scope.sessions) {
      if (!session?.bind.warnsOnUncommittedWrites || session.uncommittedWrites === 0 || session.rolledBackByCaller) {
        continue;
      }
      const route = routeOf(scope.response?.req);
      const key = `${session.bindKey}\0${route}`;
      if (this.#warned.has(key) || this.#warned.size >= MAX_ROUTES) continue;
      this.#warned.add(key);
      this.logger.warn(
        `${route} answered ${status} but rolled back ${session.uncommittedWrites} data-changing statement(s) ` +
          `on bind key "${session.bindKey}": its commitMode is 'manual' and nothing committed them. ` +
          `Call session.commit() before the handler returns, or set commitMode: 'autocommit' for this bind key. ` +
          `(Logged once per route; warnOnUncommittedWrites: false turns it off.)`,
      );
    }
  }
}
