import type { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { classifyConstraintViolation } from '../errors/map-database-error';
import { newInstanceId } from './xid';

/** The table of live instances, beside the decision table (docs/twophase.md#several-instances). */
export const INSTANCE_TABLE = 'aa_twophase_instances';

/**
 * This process's lease in the instance table: a row `(instance_id, heartbeat_at, expires_at)`
 * written at startup, before the first PREPARE, renewed three times per lease, and deleted at
 * shutdown once every request has ended. Recovery leaves alone the transactions of instances whose
 * lease has not expired. Times are the database's own clock, so the hosts' clocks do not matter.
 */
export class InstanceLease {
  #instanceId = newInstanceId();
  #timer?: NodeJS.Timeout;
  #renewing?: Promise<void>;
  #released = false;
  #failing = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly leaseMs: number,
    private readonly logger: Logger,
  ) {}

  /** The id in this process's transaction ids. */
  get instanceId(): string {
    return this.#instanceId;
  }

  private get isPostgres(): boolean {
    return this.dataSource.options.type === 'postgres';
  }

  async ensureTable(): Promise<void> {
    const time = this.isPostgres ? 'TIMESTAMPTZ' : 'DATETIME(3)';
    await this.dataSource.query(
      `CREATE TABLE IF NOT EXISTS ${INSTANCE_TABLE} (instance_id VARCHAR(16) NOT NULL PRIMARY KEY, ` +
        `heartbeat_at ${time} NOT NULL, expires_at ${time} NOT NULL)`,
    );
  }

  /** Writes the lease (a fresh id if this one is taken) and starts renewing it. */
  async acquire(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.dataSource.query(
          `INSERT INTO ${INSTANCE_TABLE} (instance_id, heartbeat_at, expires_at) VALUES ('${this.#instanceId}', ${this.times()})`,
        );
        break;
      } catch (error) {
        // A duplicate id (two random 32-bit ids alike): draw another; anything else is the caller's.
        if (attempt >= 3 || classifyConstraintViolation(error) !== 'duplicate-key') throw error;
        this.#instanceId = newInstanceId();
      }
    }
    const every = Math.max(1, Math.floor(this.leaseMs / 3));
    this.#timer = setInterval(() => {
      this.#renewing ??= this.renew().finally(() => (this.#renewing = undefined));
    }, every).unref();
  }

  /** The instances whose lease has not expired (this one included), read on the database's clock. */
  async liveInstances(): Promise<Set<string>> {
    const now = this.isPostgres ? 'now()' : 'NOW(3)';
    const rows = (await this.dataSource.query(
      `SELECT instance_id FROM ${INSTANCE_TABLE} WHERE expires_at > ${now}`,
    )) as Array<{ instance_id: string }>;
    return new Set(rows.map((row) => row.instance_id));
  }

  /** Drops leases expired for an hour (an expired lease and a missing one mean the same). */
  async purgeExpired(): Promise<void> {
    const cutoff = this.isPostgres ? "now() - interval '1 hour'" : 'NOW(3) - INTERVAL 1 HOUR';
    await this.dataSource.query(`DELETE FROM ${INSTANCE_TABLE} WHERE expires_at < ${cutoff}`);
  }

  /** Stops renewing and deletes the lease: the other instances may recover what this one left at once. */
  async release(): Promise<void> {
    this.#released = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
    // A renewal under way would write the row again after the DELETE.
    await this.#renewing;
    if (!this.dataSource.isInitialized) return;
    await this.dataSource
      .query(`DELETE FROM ${INSTANCE_TABLE} WHERE instance_id = '${this.#instanceId}'`)
      .catch((error: unknown) =>
        this.logger.warn(`Two-phase lease of instance ${this.#instanceId} not released: ${String(error)}`),
      );
  }

  private async renew(): Promise<void> {
    if (this.#released || !this.dataSource.isInitialized) return;
    const upsert = this.isPostgres
      ? 'ON CONFLICT (instance_id) DO UPDATE SET heartbeat_at = EXCLUDED.heartbeat_at, expires_at = EXCLUDED.expires_at'
      : 'ON DUPLICATE KEY UPDATE heartbeat_at = VALUES(heartbeat_at), expires_at = VALUES(expires_at)';
    try {
      await this.dataSource.query(
        `INSERT INTO ${INSTANCE_TABLE} (instance_id, heartbeat_at, expires_at) VALUES ('${this.#instanceId}', ${this.times()}) ${upsert}`,
      );
      if (this.#failing) this.logger.log(`Two-phase lease of instance ${this.#instanceId} renewed again.`);
      this.#failing = false;
    } catch (error) {
      // Safe either way: a transaction recovered while this instance still decides it is rolled
      // back by the decision table's key, never committed on one side only. Said once per outage.
      if (!this.#failing) {
        this.logger.warn(
          `Two-phase lease of instance ${this.#instanceId} could not be renewed; if it expires, other instances ` +
            `roll back its undecided transactions (those requests answer 500): ${String(error)}`,
        );
      }
      this.#failing = true;
    }
  }

  private times(): string {
    return this.isPostgres
      ? `now(), now() + interval '${this.leaseMs} milliseconds'`
      : `NOW(3), NOW(3) + INTERVAL ${this.leaseMs * 1000} MICROSECOND`;
  }
}
