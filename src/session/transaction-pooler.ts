import type { DataSource } from 'typeorm';

/**
 * PostgreSQL DataSources that reach the server through a transaction pooler (PgBouncer,
 * `pool_mode = transaction`): each transaction may run on another server connection, and anything
 * set outside a transaction would stay on a connection other clients get next.
 */
const behindTransactionPooler = new WeakSet<DataSource>();

export function markBehindTransactionPooler(dataSource: DataSource): void {
  behindTransactionPooler.add(dataSource);
}

export function isBehindTransactionPooler(dataSource: DataSource): boolean {
  return behindTransactionPooler.has(dataSource);
}

/** PgBouncer's answer to a startup parameter it does not forward, e.g. `statement_timeout`. */
export function refusedStartupParameter(error: unknown): string | undefined {
  const message = error instanceof Error ? error.message : String(error);
  return /unsupported startup parameter:\s*([A-Za-z_]+)/i.exec(message)?.[1];
}

/**
 * `BEGIN` with its characteristics and the transaction's own statement timeout, one statement
 * string (one round trip): `SET LOCAL` ends with the transaction, so nothing is left on the
 * pooler's server connection.
 */
export function pooledBeginSql(isolationLevel: string | undefined, readOnly: boolean, timeoutMs: number): string {
  const modes = [isolationLevel ? `ISOLATION LEVEL ${isolationLevel}` : '', readOnly ? 'READ ONLY' : '']
    .filter(Boolean)
    .join(', ');
  return `START TRANSACTION${modes ? ` ${modes}` : ''}; SET LOCAL statement_timeout = ${Math.round(timeoutMs)}`;
}
