import type { DataSource } from 'typeorm';
import { xidLiteral } from './xid';

/** The table of commit decisions, on the first PostgreSQL two-phase bind key, else the first one (docs/twophase.md). */
export const DECISION_TABLE = 'aa_twophase_decisions';

export type Outcome = 'commit' | 'abort';

/** Runs one statement outside any transaction (autocommit): a participant's idle connection, or the pool. */
export type Query = (sql: string) => Promise<unknown>;

/**
 * The durable record of two-phase decisions: one row per participant xid. The coordinator's
 * commit decision is one multi-row INSERT (atomic); recovery, finding a prepared transaction with
 * no row, first inserts an `abort` row for it. The primary key decides a race between the two:
 * whichever row exists first wins, so a late coordinator can never commit what recovery rolled back.
 */
export class DecisionLog {
  constructor(
    readonly dataSource: DataSource,
    /** The bind key the table is on (named in errors and in the CLI's output). */
    readonly bindKey: string,
  ) {}

  private get isPostgres(): boolean {
    return this.dataSource.options.type === 'postgres';
  }

  /** Creates the table when it is missing. */
  async ensureTable(): Promise<void> {
    await this.dataSource.query(
      `CREATE TABLE IF NOT EXISTS ${DECISION_TABLE} (xid VARCHAR(64) NOT NULL PRIMARY KEY, ` +
        `outcome VARCHAR(8) NOT NULL, decided_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)`,
    );
  }

  /** The commit decision for every participant, in one statement; fails when recovery aborted one of them. */
  async recordCommit(xids: readonly string[], query: Query = this.pooled): Promise<void> {
    await query(`INSERT INTO ${DECISION_TABLE} (xid, outcome) VALUES ${this.rows(xids, 'commit')}`);
  }

  /** Records `abort` for the xids that have no decision yet, then returns what is decided for each. */
  async abortUndecided(xids: readonly string[], query: Query = this.pooled): Promise<Map<string, Outcome>> {
    if (xids.length === 0) return new Map();
    const values = this.rows(xids, 'abort');
    await query(
      this.isPostgres
        ? `INSERT INTO ${DECISION_TABLE} (xid, outcome) VALUES ${values} ON CONFLICT (xid) DO NOTHING`
        : `INSERT IGNORE INTO ${DECISION_TABLE} (xid, outcome) VALUES ${values}`,
    );
    return this.outcomes(xids, query);
  }

  /** What is recorded for each xid (absent: no decision). */
  async outcomes(xids: readonly string[], query: Query = this.pooled): Promise<Map<string, Outcome>> {
    if (xids.length === 0) return new Map();
    const rows = (await query(
      `SELECT xid, outcome FROM ${DECISION_TABLE} WHERE xid IN (${xids.map(xidLiteral).join(', ')})`,
    )) as Array<{ xid: string; outcome: Outcome }>;
    return new Map(rows.map((row) => [row.xid, row.outcome]));
  }

  #toForget: string[] = [];
  #forgetTimer?: NodeJS.Timeout;

  /**
   * Drops the rows of finished transactions soon, many in one DELETE (off the requests' path; a row
   * that is never dropped is harmless: recovery finds no prepared transaction for it).
   */
  forgetLater(xids: readonly string[]): void {
    this.#toForget.push(...xids);
    if (this.#forgetTimer !== undefined) return;
    this.#forgetTimer = setTimeout(() => {
      this.#forgetTimer = undefined;
      const batch = this.#toForget.splice(0);
      if (this.dataSource.isInitialized) this.forget(batch).catch(() => undefined);
    }, 100).unref();
  }

  /** Drops the rows of finished transactions. */
  async forget(xids: readonly string[]): Promise<void> {
    if (xids.length === 0) return;
    await this.pooled(`DELETE FROM ${DECISION_TABLE} WHERE xid IN (${xids.map(xidLiteral).join(', ')})`);
  }

  /**
   * Drops `abort` rows older than an hour that are not in `inDoubt`: an abort row only has to
   * outlive the coordinator that might still try to record a commit for it (seconds).
   */
  async purgeAborts(inDoubt: ReadonlySet<string>): Promise<void> {
    const cutoff = this.isPostgres ? "now() - interval '1 hour'" : 'NOW() - INTERVAL 1 HOUR';
    const keep = [...inDoubt].map(xidLiteral);
    await this.pooled(
      `DELETE FROM ${DECISION_TABLE} WHERE outcome = 'abort' AND decided_at < ${cutoff}` +
        (keep.length ? ` AND xid NOT IN (${keep.join(', ')})` : ''),
    );
  }

  private rows(xids: readonly string[], outcome: Outcome): string {
    return xids.map((xid) => `(${xidLiteral(xid)}, '${outcome}')`).join(', ');
  }

  private readonly pooled: Query = (sql) => this.dataSource.query(sql);
}
