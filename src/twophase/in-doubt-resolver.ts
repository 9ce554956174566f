import type { Logger } from '@nestjs/common';
import type { Bind } from '../session/bind';
import type { Outcome } from './decision-log';
import { twoPhaseDialectOf, type TwoPhaseDialect } from './dialects';

const FIRST_RETRY_MS = 200;
const MAX_RETRY_MS = 5_000;

/**
 * Finishes, in the background, the prepared transactions this process left behind because their
 * database could not be reached: retried with a growing delay until the database answers, or the
 * application shuts down (then recovery at the next start, or `db recover`, finishes them).
 */
export class InDoubtResolver {
  readonly #pending = new Map<string, Promise<void>>();

  constructor(private readonly logger: Logger) {}

  /** The xids still waiting to be finished by this process. */
  get pending(): string[] {
    return [...this.#pending.keys()];
  }

  retryLater(bind: Bind, xid: string, outcome: Outcome): void {
    if (this.#pending.has(xid)) return;
    const dialect = twoPhaseDialectOf(bind.dataSource.options.type) as TwoPhaseDialect;
    const sql = outcome === 'commit' ? dialect.commitSql(xid) : dialect.rollbackSql(xid);
    const done = (async () => {
      for (let delay = FIRST_RETRY_MS; !bind.closing && bind.dataSource.isInitialized;) {
        await new Promise((resolve) => setTimeout(resolve, delay).unref());
        try {
          await bind.dataSource.query(sql);
        } catch (error) {
          if (!dialect.isUnknownXid(error)) {
            delay = Math.min(delay * 2, MAX_RETRY_MS);
            continue;
          }
        }
        this.logger.log(`Two-phase transaction ${xid} of bind key "${bind.key}" finished (${outcome}) on retry.`);
        return;
      }
    })().finally(() => this.#pending.delete(xid));
    this.#pending.set(xid, done);
  }
}
