import { Logger } from '@nestjs/common';
import { ImproperConfigurationError } from '../errors/improper-configuration.error';
import type { Bind } from '../session/bind';
import { TwoPhaseCoordinator } from './coordinator';
import { DecisionLog } from './decision-log';
import { registerScopeTwoPhaseCommit } from '../session/session-scope';
import { commitTwoPhase } from './commit-scope';
import { setCoordinatorOf } from './coordinator-of';
import { twoPhaseDialectOf } from './dialects';
import { InDoubtResolver } from './in-doubt-resolver';
import { recoverInDoubt } from './recovery';
import { DEFAULT_XID_PREFIX } from './xid';

/**
 * Sets up two-phase commit for the bind keys with `sessionConfig.twophase`: checks that their
 * databases can prepare transactions, creates the decision table on the first of them and, unless
 * the command line is booting the app (`db recover` does it there), finishes the in-doubt
 * transactions a previous run left behind. Fails at startup naming the setting to change.
 */
export async function startTwoPhase(binds: readonly Bind[], cliBoot: boolean): Promise<void> {
  const members = binds.filter((bind) => bind.config.sessionConfig.twophase === true);
  if (members.length === 0) return;
  const prefixes = new Set(members.map((bind) => bind.config.sessionConfig.twophasePrefix ?? DEFAULT_XID_PREFIX));
  if (prefixes.size > 1) {
    throw new ImproperConfigurationError(
      `sessionConfig.twophasePrefix differs between the two-phase bind keys (${[...prefixes].join(', ')}): ` +
        'give them all the same prefix (it names this application in the transaction ids).',
    );
  }
  for (const bind of members) await checkCanPrepare(bind);
  const [prefix] = prefixes;
  const logger = new Logger('AdvancedAlchemy');
  // On PostgreSQL when one takes part: its connection is free again right after PREPARE TRANSACTION,
  // so the decision goes out on it; a MariaDB connection accepts nothing until its XA COMMIT.
  const logBind = members.find((bind) => bind.dataSource.options.type === 'postgres') ?? members[0];
  const log = new DecisionLog(logBind.dataSource, logBind.key);
  const coordinator = new TwoPhaseCoordinator(prefix, log, new InDoubtResolver(logger), logger, members);
  for (const bind of members) {
    setCoordinatorOf(bind, coordinator);
    bind.pipeline.takeTwoPhasePart((runner) => coordinator.adoptRunner(bind, runner));
  }
  registerScopeTwoPhaseCommit(commitTwoPhase);
  if (cliBoot) return;
  await log.ensureTable();
  const report = await recoverInDoubt(members, log, prefix);
  for (const entry of report) {
    const done = entry.resolved ? (entry.outcome === 'commit' ? 'committed' : 'rolled back') : `left (${entry.error})`;
    logger.warn(`Recovery: in-doubt transaction ${entry.xid} of bind key "${entry.bindKey}" ${done}.`);
  }
}

async function checkCanPrepare(bind: Bind): Promise<void> {
  const type = bind.dataSource.options.type;
  if (!twoPhaseDialectOf(type)) {
    throw new ImproperConfigurationError(
      `sessionConfig.twophase is set on bind key "${bind.key}", but ${type === 'better-sqlite3' ? 'SQLite' : type} ` +
        'has no two-phase commit: remove sessionConfig.twophase from this bind key (PostgreSQL and MariaDB/MySQL take part).',
    );
  }
  if (type !== 'postgres') return;
  const [row] = (await bind.dataSource.query('SHOW max_prepared_transactions')) as Array<{
    max_prepared_transactions: string;
  }>;
  if (Number(row?.max_prepared_transactions ?? 0) > 0) return;
  throw new ImproperConfigurationError(
    `sessionConfig.twophase is set on bind key "${bind.key}", but its PostgreSQL server has ` +
      'max_prepared_transactions = 0, so it cannot prepare transactions: set max_prepared_transactions ' +
      '(postgresql.conf) to at least the number of connections that may commit at once (e.g. the pool size) ' +
      'and restart the server.',
  );
}
