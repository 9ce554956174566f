import type { Bind } from './bind';
import { destroyDriverConnection, statementTimeoutSql } from './pool-guard';
import { deadlinePassed, statementFailure } from './statement-outcome';

/** The session a statement belongs to: a statement after its end fails as a late use, not as a lost connection. */
export interface LateUse {
  lateUseError(): Error | undefined;
}

/** The driver's connection of a query runner (pg client, mysql2 connection), once it has one. */
interface ConnectedRunner {
  databaseConnection?: unknown;
}

/**
 * A session's statement timeout: the bind key's, or what `setStatementTimeout` made it, and the
 * deadline the module keeps on top of it for a database that stopped answering.
 */
export class StatementDeadline {
  static readonly #ofBind = new WeakMap<Bind, StatementDeadline>();

  /**
   * The bind key's own deadline, shared by its sessions until one changes its timeout (then that
   * session makes its own): a session allocates none of its own on the common path.
   */
  static of(bind: Bind): StatementDeadline {
    let deadline = StatementDeadline.#ofBind.get(bind);
    if (deadline === undefined) {
      deadline = new StatementDeadline(bind);
      StatementDeadline.#ofBind.set(bind, deadline);
    }
    return deadline;
  }

  #timeoutMs: number;
  #deadlineMs: number;
  #changed = false;

  constructor(private readonly bind: Bind) {
    this.#timeoutMs = bind.statementTimeoutMs;
    this.#deadlineMs = bind.deadlineFor(this.#timeoutMs);
  }

  /** The statement timeout statements of this session run with (ms, 0 = none). */
  get timeoutMs(): number {
    return this.#timeoutMs;
  }

  /** Whether the connection's timeout differs from the bind key's and must be put back. */
  get changed(): boolean {
    return this.#changed;
  }

  /**
   * Bounds the wait for a statement's answer and turns a lost connection or a timeout into the
   * module's 503-class errors (or a late use of an ended session). Past the
   * deadline the connection is dropped: a database that stopped answering would otherwise hold the
   * request, and the connection, forever.
   */
  guard(runner: ConnectedRunner, sql: string, pending: Promise<unknown>, session: LateUse): Promise<unknown> {
    const deadlineMs = this.#deadlineMs;
    if (deadlineMs === 0) {
      return pending.catch((error: unknown) => {
        throw this.failure(error, sql, session);
      });
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        destroyDriverConnection(runner.databaseConnection);
        reject(deadlinePassed(sql, this.bind.key, deadlineMs));
      }, deadlineMs);
      pending.then(
        (result) => {
          clearTimeout(timer);
          resolve(result);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(this.failure(error, sql, session));
        },
      );
    });
  }
  /** What a failed statement fails with: a late use of an ended session, or the module's own error. */
  private failure(error: unknown, sql: string, session: LateUse): unknown {
    return session.lateUseError() ?? statementFailure(error, sql, this.bind.key, this.#timeoutMs);
  }

  /**
   * The statement that sets `timeoutMs` on the runner's connection; the new timeout applies once it
   * ran. Behind a transaction pooler it is `SET LOCAL` for the open transaction (none outside one):
   * each later BEGIN carries the new timeout, and nothing stays on the server connection.
   */
  change(
    runner: ConnectedRunner & { isTransactionActive?: boolean },
    timeoutMs: number,
  ): { sql?: string; apply: () => void } {
    const apply = () => {
      this.#timeoutMs = timeoutMs;
      this.#deadlineMs = this.bind.deadlineFor(timeoutMs);
    };
    if (this.bind.behindTransactionPooler) {
      return { sql: runner.isTransactionActive ? `SET LOCAL statement_timeout = ${timeoutMs}` : undefined, apply };
    }
    this.#changed = true;
    const sql =
      this.bind.dataSource.options.type === 'postgres'
        ? `SET statement_timeout = ${timeoutMs}`
        : statementTimeoutSql(runner.databaseConnection as { _isMariaDB?: boolean } | undefined, timeoutMs);
    return { sql, apply };
  }

  /** The statement that gives the connection the bind key's own timeout back. */
  restoreSql(runner: ConnectedRunner): string {
    return this.bind.dataSource.options.type === 'postgres'
      ? 'RESET statement_timeout'
      : statementTimeoutSql(
          runner.databaseConnection as { _isMariaDB?: boolean } | undefined,
          this.bind.statementTimeoutMs,
        );
  }
}
