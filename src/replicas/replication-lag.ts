import type { DataSource } from 'typeorm';

/**
 * How far a replica's replay is behind its primary, in milliseconds, as the database tells it:
 * PostgreSQL `now() - pg_last_xact_replay_timestamp()` (0 when everything received is replayed),
 * MySQL/MariaDB `Seconds_Behind_Master`. Undefined when the server does not know (not a replica,
 * replication stopped).
 */
export async function readReplicationLagMs(dataSource: DataSource): Promise<number | undefined> {
  if (dataSource.options.type === 'postgres') {
    const rows = (await dataSource.query(
      `SELECT CASE WHEN NOT pg_is_in_recovery() THEN NULL
                   WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
                   ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) * 1000 END AS lag`,
    )) as Array<{ lag: string | number | null }>;
    const lag = rows[0]?.lag;
    return lag === null || lag === undefined ? undefined : Math.max(0, Math.round(Number(lag)));
  }
  const rows = (await dataSource.query('SHOW SLAVE STATUS')) as Array<{
    Seconds_Behind_Master?: number | string | null;
  }>;
  const seconds = rows[0]?.Seconds_Behind_Master;
  return seconds === null || seconds === undefined ? undefined : Number(seconds) * 1000;
}
