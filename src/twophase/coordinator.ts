import type { Logger } from '@nestjs/common';
import type { QueryRunner } from 'typeorm';
import type { Bind } from '../session/bind';
import type { DatabaseSession } from '../session/database-session';
import type { HookBatch } from '../transactions/transaction-hooks';
import type { DecisionLog, Query } from './decision-log';
import { twoPhaseDialectOf, type TwoPhaseDialect } from './dialects';
import { TwoPhaseAbortedError, TwoPhaseOutcomeUnknownError } from './two-phase.errors';
import { beginWithXa } from './xa-runner';
import { recoverInDoubt, type InDoubtTransaction, type RecoveryOptions } from './recovery';
import type { InDoubtResolver } from './in-doubt-resolver';
import type { InstanceLease } from './instance-lease';
import { newXid } from './xid';
import { isConnectionError } from '../errors/connection-errors';

/** How often recovery drops abort rows and leases expired for an hour. */
const PURGE_EVERY_MS = 60_000;

/** One writing session taking part in a two-phase commit. */
interface Participant {
  session: DatabaseSession;
  dialect: TwoPhaseDialect;
  xid?: string;
  runner?: QueryRunner;
  prepared: boolean;
}

/** How a two-phase commit ended: the error to answer (none = committed everywhere) and the hooks to run. */
export interface TwoPhaseEnding {
  error?: unknown;
  hooks: HookBatch[];
}

/**
 * Commits the writing sessions of one scope on several two-phase bind keys as one: PREPARE on each
 * (phase 1), the decision recorded in the decision log, then COMMIT PREPARED / XA COMMIT on each
 * (phase 2). Any failure before the decision rolls every participant back.
 */
export class TwoPhaseCoordinator {
  #purgedAt = Number.NEGATIVE_INFINITY;
  /** The xids of this process's commits under way, from before their PREPARE to their end: recovery leaves them. */
  readonly #inFlight = new Set<string>();

  constructor(
    /** The xid prefix of this application (`sessionConfig.twophasePrefix`). */
    readonly prefix: string,
    readonly log: DecisionLog,
    private readonly resolver: InDoubtResolver,
    private readonly logger: Logger,
    /** The two-phase bind keys, in declaration order. */
    readonly members: readonly Bind[],
    /** This process's lease: its instance id goes into every xid; recovery reads the others'. */
    readonly lease: InstanceLease,
  ) {}

  /**
   * Finishes the in-doubt transactions of this application whose instance's lease expired (or that
   * name no instance), except those this process is finishing itself: at startup, every recovery
   * interval, and for the CLI's `db recover`. Transactions of live instances are reported, untouched.
   */
  async recover(options: RecoveryOptions = {}): Promise<InDoubtTransaction[]> {
    await this.log.ensureTable();
    await this.lease.ensureTable();
    return this.recoverAbandoned(options);
  }

  /** `recover()` once the tables exist (startup created them): the pass run every recovery interval. */
  async recoverAbandoned(options: RecoveryOptions = {}): Promise<InDoubtTransaction[]> {
    // Old abort rows and leases are dropped once a minute at most: a pass runs every few seconds.
    const purge = !options.dryRun && Date.now() - this.#purgedAt >= PURGE_EVERY_MS;
    const report = await recoverInDoubt(this.members, this.log, this.prefix, {
      ...options,
      skip: new Set(this.resolver.pending),
      liveInstances: () => this.lease.liveInstances(),
      ownInstance: {
        id: this.lease.instanceId,
        isUnderWay: (xid) => this.#inFlight.has(xid) || this.resolver.pending.includes(xid),
      },
      purge,
    });
    if (purge) {
      await this.lease.purgeExpired();
      this.#purgedAt = Date.now();
    }
    return report;
  }

  /** A new transaction id of this process. */
  newXid(): string {
    return newXid(this.prefix, this.lease.instanceId);
  }

  /** Called for every new query runner of a two-phase bind key: MariaDB begins with XA START. */
  adoptRunner(bind: Bind, runner: QueryRunner): void {
    const type = bind.dataSource.options.type;
    if (type === 'mariadb' || type === 'mysql') beginWithXa(runner, () => this.newXid());
  }

  async commit(sessions: readonly DatabaseSession[]): Promise<TwoPhaseEnding> {
    const participants: Participant[] = sessions.map((session) => ({
      session,
      dialect: twoPhaseDialectOf(session.bind.dataSource.options.type) as TwoPhaseDialect,
      prepared: false,
    }));
    try {
      return await this.commitParticipants(participants);
    } finally {
      for (const participant of participants) if (participant.xid !== undefined) this.#inFlight.delete(participant.xid);
    }
  }

  private async commitParticipants(participants: Participant[]): Promise<TwoPhaseEnding> {
    // Phase 1.
    for (const participant of participants) {
      try {
        await participant.session.prepareTwoPhase(async (runner) => {
          participant.runner = runner;
          participant.xid = participant.dialect.xidFor(runner, () => this.newXid());
          this.#inFlight.add(participant.xid);
          await participant.dialect.prepare(runner, participant.xid);
        });
        participant.prepared = true;
      } catch (error) {
        await this.abort(participants, isConnectionError(error) ? participant : undefined);
        return this.ended(participants, false, this.phaseOneFailed(participant, error));
      }
    }
    // The decision.
    const xids = participants.map((participant) => participant.xid as string);
    const logParticipant = participants.find(
      (participant) =>
        participant.session.bind.key === this.log.bindKey &&
        participant.session.bind.dataSource.options.type === 'postgres',
    );
    const onLogConnection: Query | undefined = logParticipant
      ? (sql) => (logParticipant.runner as QueryRunner).query(sql)
      : undefined;
    let decided: boolean;
    try {
      await this.log.recordCommit(xids, onLogConnection);
      decided = true;
    } catch (error) {
      decided = await this.decisionAfterFailure(xids, error);
    }
    if (!decided) {
      await this.abort(participants);
      return this.ended(
        participants,
        false,
        new TwoPhaseAbortedError('The commit decision could not be recorded; every participant was rolled back.', null),
      );
    }
    // Phase 2.
    const unfinished: Participant[] = [];
    for (const participant of participants) {
      if (!(await this.finish(participant, 'commit'))) unfinished.push(participant);
    }
    if (unfinished.length === 0) {
      this.log.forgetLater(xids);
      return this.ended(participants, true);
    }
    for (const participant of unfinished) {
      this.resolver.retryLater(participant.session.bind, participant.xid as string, 'commit');
    }
    const keys = unfinished.map((participant) => `"${participant.session.bindKey}"`).join(', ');
    this.logger.error(
      `Two-phase commit ${xids.join(', ')}: the commit is decided but bind key(s) ${keys} could not be reached ` +
        'to finish it; it stays prepared until recovery commits it.',
    );
    // The commit is decided and will be finished: the afterCommit hooks run, not the afterRollback ones.
    return this.ended(
      participants,
      true,
      new TwoPhaseOutcomeUnknownError(
        `The commit is decided, but bind key(s) ${keys} could not be reached to finish it.`,
      ),
    );
  }

  /**
   * After the decision INSERT failed: a duplicate key means recovery aborted a participant first;
   * a lost connection leaves it unknown, so the log is asked (recording `abort` where nothing is).
   * Returns whether the commit is decided; throws nothing (an unreachable log counts as not decided
   * only when the abort could be recorded, otherwise the participants stay prepared for recovery).
   */
  private async decisionAfterFailure(xids: readonly string[], error: unknown): Promise<boolean> {
    try {
      const outcomes = await this.log.abortUndecided(xids);
      return xids.every((xid) => outcomes.get(xid) === 'commit');
    } catch {
      this.logger.warn(
        `Two-phase commit ${xids.join(', ')}: recording the decision failed and the decision log of bind key ` +
          `"${this.log.bindKey}" cannot be read; recovery will roll the participants back (${String(error)}).`,
      );
      return false;
    }
  }

  /** Rolls back every participant: the prepared ones with ROLLBACK PREPARED, the others as usual (at close). */
  private async abort(participants: readonly Participant[], failed?: Participant): Promise<void> {
    for (const participant of participants) {
      if (participant.prepared) await this.finish(participant, 'abort');
    }
    // A PREPARE whose answer was lost may have been done: roll it back too, if it exists.
    if (failed?.xid !== undefined) {
      await this.finish({ ...failed, runner: undefined }, 'abort');
    }
  }

  /**
   * COMMIT PREPARED / ROLLBACK PREPARED on the participant's connection, then once on a fresh one
   * (the first may be the one that was lost). "No such transaction" means it is resolved already.
   * Returns false when neither could reach the database: recovery finishes it later.
   */
  private async finish(participant: Participant, outcome: 'commit' | 'abort'): Promise<boolean> {
    const { dialect, session } = participant;
    const xid = participant.xid as string;
    const sql = outcome === 'commit' ? dialect.commitSql(xid) : dialect.rollbackSql(xid);
    const attempts: Query[] = [(statement) => session.bind.dataSource.query(statement)];
    if (participant.runner) attempts.unshift((statement) => (participant.runner as QueryRunner).query(statement));
    for (const attempt of attempts) {
      try {
        await attempt(sql);
        return true;
      } catch (error) {
        if (dialect.isUnknownXid(error)) return true;
      }
    }
    if (outcome === 'abort') this.resolver.retryLater(session.bind, xid, 'abort');
    return false;
  }

  private phaseOneFailed(participant: Participant, error: unknown): TwoPhaseAbortedError {
    return new TwoPhaseAbortedError(
      `Two-phase commit: bind key "${participant.session.bindKey}" could not prepare its transaction, so every ` +
        `participant was rolled back: ${error instanceof Error ? error.message : String(error)}`,
      error,
    );
  }

  private ended(participants: readonly Participant[], committed: boolean, error?: unknown): TwoPhaseEnding {
    return { error, hooks: participants.map((participant) => participant.session.twoPhaseEnded(committed)) };
  }
}
