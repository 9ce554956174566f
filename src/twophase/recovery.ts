import type { Bind } from '../session/bind';
import type { DecisionLog, Outcome } from './decision-log';
import { twoPhaseDialectOf, type TwoPhaseDialect } from './dialects';

/** One in-doubt (prepared, unfinished) transaction of this application, and what recovery does with it. */
export interface InDoubtTransaction {
  bindKey: string;
  xid: string;
  /** `commit` when the decision log holds a commit decision, else `abort`. */
  outcome: Outcome;
  /** False when the COMMIT/ROLLBACK PREPARED failed (the error is in `error`), or in a dry run. */
  resolved: boolean;
  error?: string;
}

export interface RecoveryOptions {
  /** List what would be done, change nothing (not even the decision log). */
  dryRun?: boolean;
  /** xids this process is finishing itself (skipped). */
  skip?: ReadonlySet<string>;
}

/**
 * Finds this application's prepared transactions on every two-phase bind key and finishes them:
 * committed when the decision log holds their commit decision, rolled back otherwise (an `abort`
 * row is recorded first, so a coordinator still running can no longer decide to commit them).
 */
export async function recoverInDoubt(
  binds: readonly Bind[],
  log: DecisionLog,
  prefix: string,
  options: RecoveryOptions = {},
): Promise<InDoubtTransaction[]> {
  const found: Array<{ bind: Bind; dialect: TwoPhaseDialect; xid: string }> = [];
  for (const bind of binds) {
    const dialect = twoPhaseDialectOf(bind.dataSource.options.type) as TwoPhaseDialect;
    for (const xid of await dialect.listInDoubt(bind.dataSource, prefix)) {
      if (!options.skip?.has(xid)) found.push({ bind, dialect, xid });
    }
  }
  const xids = found.map((entry) => entry.xid);
  const outcomes = options.dryRun ? await log.outcomes(xids) : await log.abortUndecided(xids);
  const report: InDoubtTransaction[] = [];
  for (const { bind, dialect, xid } of found) {
    const outcome = outcomes.get(xid) ?? 'abort';
    const entry: InDoubtTransaction = { bindKey: bind.key, xid, outcome, resolved: false };
    report.push(entry);
    if (options.dryRun) continue;
    try {
      await bind.dataSource.query(outcome === 'commit' ? dialect.commitSql(xid) : dialect.rollbackSql(xid));
      entry.resolved = true;
    } catch (error) {
      if (dialect.isUnknownXid(error)) entry.resolved = true;
      else entry.error = error instanceof Error ? error.message : String(error);
    }
  }
  if (!options.dryRun) {
    await log.forget(report.filter((entry) => entry.resolved && entry.outcome === 'commit').map((entry) => entry.xid));
    await log.purgeAborts(new Set(report.filter((entry) => !entry.resolved).map((entry) => entry.xid)));
  }
  return report;
}
