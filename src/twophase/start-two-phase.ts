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
import { InstanceLease } from './instance-lease';
import { logRecovered, RecoveryLoop } from './recovery-loop';
import { DEFAULT_XID_PREFIX } from './xid';

/** `sessionConfig.twophaseLeaseMs` when not set. */
export const DEFAULT_LEASE_MS = 10_000;
/** `sessionConfig.twophaseRecoveryIntervalMs` when not set. */
export const DEFAULT_RECOVERY_INTERVAL_MS = 5_000;

/** Stops the heartbeat and the recovery loop and releases the lease (at shutdown, after the requests drained). */
export type StopTwoPhase = () => Promise<void>;

/**
 * Sets up two-phase commit for the bind keys with `sessionConfig.twophase`: checks that their
 * databases can prepare transactions, creates the decision and instance tables on the first of
 * them and, unless the command line is booting the app (`db recover` does it there), registers this
 * instance's lease, finishes the in-doubt transactions of instances whose lease expired, and keeps
 * doing so every recovery interval. Fails at startup naming the setting to change.
 */
export async function startTwoPhase(binds: readonly Bind[], cliBoot: boolean): Promise<StopTwoPhase | undefined> {
  const members = binds.filter((bind) => bind.config.sessionConfig.twophase === true);
  if (members.length === 0) return undefined;
  const prefix = sameOnEvery(
    members,
    'twophasePrefix',
    DEFAULT_XID_PREFIX,
    'it names this application in the transaction ids',
  );
  const leaseMs = sameOnEvery(members, 'twophaseLeaseMs', DEFAULT_LEASE_MS, 'it is one lease per instance');
  const intervalMs = sameOnEvery(
    members,
    'twophaseRecoveryIntervalMs',
    DEFAULT_RECOVERY_INTERVAL_MS,
    'one recovery loop serves them all',
  );
  for (const bind of members) await checkCanPrepare(bind);
  const logger = new Logger('AdvancedAlchemy');
  // On PostgreSQL when one takes part: its connection is free again right after PREPARE TRANSACTION,
  // so the decision goes out on it; a MariaDB connection accepts nothing until its XA COMMIT.
  const logBind = members.find((bind) => bind.dataSource.options.type === 'postgres') ?? members[0];
  const log = new DecisionLog(logBind.dataSource, logBind.key);
  const lease = new InstanceLease(logBind.dataSource, leaseMs, logger);
  const coordinator = new TwoPhaseCoordinator(prefix, log, new InDoubtResolver(logger), logger, members, lease);
  for (const bind of members) {
    setCoordinatorOf(bind, coordinator);
    bind.pipeline.takeTwoPhasePart((runner) => coordinator.adoptRunner(bind, runner));
  }
  registerScopeTwoPhaseCommit(commitTwoPhase);
  if (cliBoot) return undefined;
  await log.ensureTable();
  await lease.ensureTable();
  // Before the first PREPARE: from now on no other instance touches this one's transactions.
  await lease.acquire();
  const loop = new RecoveryLoop(() => coordinator.recoverAbandoned(), intervalMs, logger);
  try {
    logRecovered(logger, await coordinator.recoverAbandoned());
  } catch (error) {
    await lease.release();
    throw error;
  }
  loop.start();
  return async () => {
    await loop.stop();
    await lease.release();
  };
}

type SharedSetting = 'twophasePrefix' | 'twophaseLeaseMs' | 'twophaseRecoveryIntervalMs';

/** A setting that is one per application: the same on every two-phase bind key, or a startup error. */
function sameOnEvery<K extends SharedSetting>(
  members: readonly Bind[],
  setting: K,
  fallback: NonNullable<Bind['config']['sessionConfig'][K]>,
  why: string,
): NonNullable<Bind['config']['sessionConfig'][K]> {
  const values = new Set(members.map((bind) => bind.config.sessionConfig[setting] ?? fallback));
  if (values.size > 1) {
    throw new ImproperConfigurationError(
      `sessionConfig.${setting} differs between the two-phase bind keys (${[...values].join(', ')}): ` +
        `give them all the same value (${why}).`,
    );
  }
  return [...values][0] as NonNullable<Bind['config']['sessionConfig'][K]>;
}

async function checkCanPrepare(bind: Bind): Promise<void> {
  const type = bind.dataSource.options.type;
  if (!twoPhaseDialectOf(type)) {
    throw new ImproperConfigurationError(
      `sessionConfig.twophase is set on bind key "${bind.key}", but ${type === 'better-sqlite3' ? 'SQLite' : type} ` +
        'has no two-phase commit: remove sessionConfig.twophase from this bind key (PostgreSQL and MariaDB/MySQL take part).',
    );
  }
  if (type !== 'postgres') return refuseGalera(bind);
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

/** Galera does not support XA transactions (a documented limitation of MariaDB Galera Cluster): refuse it at startup. */
async function refuseGalera(bind: Bind): Promise<void> {
  const rows = (await bind.dataSource.query("SHOW VARIABLES LIKE 'wsrep_on'")) as Array<{ Value?: string }>;
  if (rows[0]?.Value !== 'ON') return;
  throw new ImproperConfigurationError(
    `sessionConfig.twophase is set on bind key "${bind.key}", but its MariaDB server is a Galera cluster node ` +
      '(wsrep_on = ON), and Galera does not support XA transactions: remove sessionConfig.twophase from this ' +
      'bind key, or point it at a MariaDB server outside the cluster.',
  );
}
