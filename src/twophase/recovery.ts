import type { Bind } from '../session/bind';
import type { DecisionLog, Outcome } from './decision-log';
import { twoPhaseDialectOf, type TwoPhaseDialect } from './dialects';
import { parseOwnXid } from './xid';

/** One in-doubt (prepared, unfinished) transaction of this application, and what recovery does with it. */
export interface InDoubtTransaction {
  bindKey: string;
  xid: string;
  /** `commit` when the decision log holds a commit decision, else `abort`. */
  outcome: Outcome;
  /** False when the COMMIT/ROLLBACK PREPARED failed (the error is in `error`), in a dry run, or when left alone. */
  resolved: boolean;
  error?: string;
  /** Set when the transaction was left alone: the instance that made it holds a live lease and decides it. */
  liveInstance?: string;
}

export interface RecoveryOptions {
  /** List what would be done, change nothing (not even the decision log). */
  dryRun?: boolean;
  /** xids this process is finishing itself (skipped). */
  skip?: ReadonlySet<string>;
  /**
   * The instances whose lease has not expired, read after the listing: their transactions are left
   * alone (an instance registers its lease before its first PREPARE, so one listed was already
   * registered then). Without it every transaction of the application is resolved.
   */
  liveInstances?: () => Promise<ReadonlySet<string>>;
  /**
   * This process's instance id, and whether one of its xids is a commit under way here (asked after
   * the listing, so a commit that began meanwhile is seen). Its other transactions are abandoned: a
   * PREPARE whose answer was lost and whose rollback found nothing yet (MariaDB detaches an XA
   * transaction from a killed connection a moment later). They are decided like a dead instance's.
   */
  ownInstance?: { id: string; isUnderWay(xid: string): boolean };
  /** Also drop `abort` rows older than an hour (default true; the background passes do it now and then). */
  purge?: boolean;
}

/**
 * Finds this application's prepared transactions on every two-phase bind key and finishes those
 * whose instance is not alive (docs/twophase.md#several-instances):
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
  const live = found.length > 0 && options.liveInstances ? await options.liveInstances() : new Set<string>();
  const report: InDoubtTransaction[] = [];
  const decidable = found.filter(({ bind, xid }) => {
    const instanceId = parseOwnXid(xid, prefix)?.instanceId;
    if (instanceId !== undefined && instanceId === options.ownInstance?.id) return !options.ownInstance.isUnderWay(xid);
    if (instanceId === undefined || !live.has(instanceId)) return true;
    report.push({ bindKey: bind.key, xid, outcome: 'abort', resolved: false, liveInstance: instanceId });
    return false;
  });
  const xids = decidable.map((entry) => entry.xid);
  const outcomes = options.dryRun ? await log.outcomes(xids) : await log.abortUndecided(xids);
  for (const { bind, dialect, xid } of decidable) {
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
    if (options.purge !== false)
      await log.purgeAborts(new Set(report.filter((entry) => !entry.resolved).map((entry) => entry.xid)));
  }
  return report;
}
