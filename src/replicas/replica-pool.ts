import { DataSource, type DataSourceOptions, type QueryRunner } from 'typeorm';
import type { AlchemyConfig } from '../config/alchemy-config';
import { buildDataSourceOptions } from '../config/data-source-options';
import { redactConnectionString } from '../config/connection-string';
import { DEFAULT_POOL_TIMEOUT_MS } from '../config/engine-config';
import { Logger } from '@nestjs/common';
import { DEFAULT_CONNECT_TIMEOUT_MS, statementTimeoutOf } from '../config/engine-config';
import { ConnectionSlots } from '../session/connection-slots';
import { destroyDriverConnection, guardDriverPools } from '../session/pool-guard';
import type { ReplicaOption } from './replica-config';
import { readReplicationLagMs } from './replication-lag';

/**
 * One replica of a bind key: a DataSource of its own (no entities: it only runs the statements
 * sessions route to it), with connection permits like the primary's, and its health.
 */
export class ReplicaPool {
  /** Set while the replica is out of rotation (unreachable): the time it may be tried again. */
  downUntil = 0;
  /** The last error that took it out of rotation (redacted). */
  lastError?: string;
  /** Replay lag at the last probe, in milliseconds; undefined until read (or when the database does not tell). */
  lagMs?: number;
  lagReadAt = 0;
  #lagProbe?: Promise<void>;
  #opening?: Promise<void>;

  private constructor(
    readonly config: AlchemyConfig,
    /** `replica 1 (postgresql://…@host:port/db)`: what logs and health reports name. */
    readonly name: string,
    readonly dataSource: DataSource,
    readonly slots: ConnectionSlots,
  ) {}

  static async open(
    config: AlchemyConfig,
    option: ReplicaOption,
    index: number,
    secrets: string[],
  ): Promise<ReplicaPool> {
    const connectionString = typeof option === 'string' ? option : option.connectionString;
    const { options, target } = buildDataSourceOptions(config, connectionString);
    if (target.password) secrets.push(target.password);
    const poolSize = (typeof option === 'string' ? undefined : option.poolSize) ?? config.engineConfig.poolSize ?? 10;
    const dataSource = new DataSource({
      ...options,
      name: `${config.bindKey}#replica${index + 1}`,
      entities: [],
      subscribers: [],
      poolSize,
    } as unknown as DataSourceOptions);
    const name = `replica ${index + 1} (${redactConnectionString(connectionString)})`;
    const slots = new ConnectionSlots(
      config.bindKey,
      poolSize,
      config.engineConfig.poolTimeout ?? DEFAULT_POOL_TIMEOUT_MS,
      'server',
    );
    const pool = new ReplicaPool(config, name, dataSource, slots);
    // A replica that is down at startup does not stop the application: it starts out of rotation.
    await pool.initialize().catch((error: unknown) => pool.markDown(error, 0));
    return pool;
  }

  /** Connects the DataSource (at startup, or at the first use of a replica that was down then). */
  initialize(): Promise<void> {
    if (this.dataSource.isInitialized) return Promise.resolve();
    this.#opening ??= this.dataSource
      .initialize()
      .then(() => {
        guardDriverPools(this.dataSource, {
          bindKey: this.config.bindKey,
          prePing: this.config.engineConfig.prePing === true,
          pingTimeoutMs: this.config.engineConfig.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT_MS,
          statementTimeoutMs: statementTimeoutOf(this.config.engineConfig),
          logger: new Logger('AdvancedAlchemy'),
        });
      })
      .finally(() => {
        this.#opening = undefined;
      });
    return this.#opening;
  }

  get type(): string {
    return this.dataSource.options.type;
  }

  isUp(now: number): boolean {
    return this.downUntil <= now;
  }

  markDown(error: unknown, backoffMs: number): void {
    this.downUntil = performance.now() + backoffMs;
    this.lastError = error instanceof Error ? error.message : String(error);
  }

  markUp(): void {
    this.downUntil = 0;
    this.lastError = undefined;
  }

  /** A query runner on this replica, once its connection is ready (taken under a permit). */
  async checkout(): Promise<QueryRunner> {
    await this.initialize();
    if (!this.slots.tryAcquire()) await this.slots.acquire();
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.connect();
    } catch (error) {
      await runner.release().catch(() => undefined);
      this.slots.release();
      throw error;
    }
    return runner;
  }

  /** Gives the runner back; `broken` drops its connection first (it failed, or its server went away). */
  async checkin(runner: QueryRunner, broken = false): Promise<void> {
    try {
      if (broken) destroyDriverConnection((runner as { databaseConnection?: unknown }).databaseConnection);
      await runner.release();
    } finally {
      this.slots.release();
    }
  }

  /** Reads the replay lag again when the last reading is older than `intervalMs` (in the background). */
  refreshLag(intervalMs: number): void {
    if (this.#lagProbe || performance.now() - this.lagReadAt < intervalMs || !this.dataSource.isInitialized) return;
    this.#lagProbe = readReplicationLagMs(this.dataSource)
      .then((lag) => {
        this.lagMs = lag;
      })
      .catch(() => {
        this.lagMs = undefined;
      })
      .finally(() => {
        this.lagReadAt = performance.now();
        this.#lagProbe = undefined;
      });
  }

  async close(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
