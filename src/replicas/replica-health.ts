import type { ReplicaSet } from './replica-set';
import { readReplicationLagMs } from './replication-lag';

/** One replica in a health report: reachable or not, and how far behind (when the database says). */
export interface ReplicaHealth {
  replica: string;
  status: 'up' | 'down';
  /** Replay lag in seconds (`pg_last_xact_replay_timestamp()`, `Seconds_Behind_Master`); absent when unknown. */
  lagSeconds?: number;
  message?: string;
}

/** Asks every replica of a bind key for its lag (which is a round trip too), each bounded by `timeoutMs`. */
export function checkReplicas(
  replicas: ReplicaSet,
  timeoutMs: number,
  redact: (error: unknown) => string,
): Promise<ReplicaHealth[]> {
  return Promise.all(
    replicas.pools.map(async (pool): Promise<ReplicaHealth> => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await pool.initialize();
        const lagMs = await Promise.race([
          readReplicationLagMs(pool.dataSource),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
          }),
        ]);
        return { replica: pool.name, status: 'up', ...(lagMs === undefined ? {} : { lagSeconds: lagMs / 1000 }) };
      } catch (error) {
        return { replica: pool.name, status: 'down', message: redact(error) };
      } finally {
        clearTimeout(timer);
      }
    }),
  );
}
