import type { AlchemyConfig } from '../config/alchemy-config';
import type { Bind } from '../session/bind';
import { DEFAULT_LAG_CHECK_INTERVAL_MS, DEFAULT_REPLICA_BACKOFF_MS, type RoutingConfig } from './replica-config';
import { ReplicaPool } from './replica-pool';

/**
 * The replicas of one bind key: which one a new scope reads from (round-robin or random, skipping
 * those out of rotation and those lagging more than `maxReplicationLagMs`).
 */
export class ReplicaSet {
  static readonly #ofBind = new WeakMap<Bind, ReplicaSet>();

  /** The replicas of a bind key (the core knows them only as `BindReplicas`). */
  static of(bind: Bind): ReplicaSet | undefined {
    return ReplicaSet.#ofBind.get(bind);
  }

  /** Records `replicas` as the bind key's (at startup, when its reads are routed to them). */
  static register(bind: Bind, replicas: ReplicaSet): void {
    ReplicaSet.#ofBind.set(bind, replicas);
  }

  #next = 0;
  readonly backoffMs: number;
  readonly #lagIntervalMs: number;
  readonly #maxLagMs?: number;
  readonly #random: boolean;

  private constructor(
    readonly bindKey: string,
    readonly pools: readonly ReplicaPool[],
    routing: RoutingConfig,
  ) {
    this.backoffMs = routing.backoffMs ?? DEFAULT_REPLICA_BACKOFF_MS;
    this.#lagIntervalMs = routing.lagCheckIntervalMs ?? DEFAULT_LAG_CHECK_INTERVAL_MS;
    this.#maxLagMs = routing.maxReplicationLagMs;
    this.#random = routing.selection === 'random';
  }

  /** Opens a pool per replica of the config (a replica that is down at startup starts out of rotation). */
  static async open(config: AlchemyConfig, secrets: string[]): Promise<ReplicaSet | undefined> {
    if (config.replicas.length === 0) return undefined;
    const pools = await Promise.all(
      config.replicas.map((option, index) => ReplicaPool.open(config, option, index, secrets)),
    );
    return new ReplicaSet(config.bindKey, pools, config.routing);
  }

  /** The replica a scope reads from, other than those in `tried`; undefined when none can serve. */
  pick(tried: ReadonlySet<ReplicaPool> = new Set()): ReplicaPool | undefined {
    const now = performance.now();
    const count = this.pools.length;
    const start = this.#random ? Math.floor(Math.random() * count) : this.#next++ % count;
    for (let offset = 0; offset < count; offset++) {
      const pool = this.pools[(start + offset) % count];
      if (tried.has(pool) || !pool.isUp(now)) continue;
      if (this.#maxLagMs !== undefined) {
        pool.refreshLag(this.#lagIntervalMs);
        if (pool.lagMs !== undefined && pool.lagMs > this.#maxLagMs) continue;
      }
      return pool;
    }
    return undefined;
  }

  close(): Promise<unknown> {
    return Promise.all(this.pools.map((pool) => pool.close()));
  }
}
