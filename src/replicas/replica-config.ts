/** One read replica of a bind key: its URL, or its URL and a pool size of its own. */
export type ReplicaOption = string | ReplicaOptions;

export interface ReplicaOptions {
  /** `postgresql://…` or `mysql://…`/`mariadb://…` of the standby (same kind as the primary). */
  connectionString: string;
  /** Connections in this replica's pool. Default: the primary's `engineConfig.poolSize`. */
  poolSize?: number;
}

/** How the reads of a bind key with `replicas` are spread (the seed's `RoutingConfig`). */
export interface RoutingConfig {
  /** Which replica a scope reads from: in turn (`'round-robin'`, default) or at random. */
  selection?: 'round-robin' | 'random';
  /**
   * Once a session wrote (or locked, or began a transaction), all its statements go to the primary.
   * Only `true` is supported: reads on a replica after a write would miss the session's own writes.
   */
  stickyAfterWrite?: true;
  /** A replica whose replay lags by more than this is skipped. Default: no limit. */
  maxReplicationLagMs?: number;
  /** How often a replica's lag is read (at most once per interval, never per request). Default 1000. */
  lagCheckIntervalMs?: number;
  /** How long an unreachable replica stays out of rotation before it is tried again. Default 5000. */
  backoffMs?: number;
}

export const REPLICA_SELECTIONS = ['round-robin', 'random'] as const;
export const DEFAULT_REPLICA_BACKOFF_MS = 5_000;
export const DEFAULT_LAG_CHECK_INTERVAL_MS = 1_000;
