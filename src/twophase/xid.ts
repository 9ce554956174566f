import { randomBytes } from 'node:crypto';

/** The prefix used when `sessionConfig.twophasePrefix` is not set. */
export const DEFAULT_XID_PREFIX = 'aa2pc';

/**
 * A transaction id of this application's own: `<prefix>-<16 hex digits>`. Recovery resolves only
 * ids that start with `<prefix>-`, so prepared transactions of other applications on the same
 * server are never touched. 64 bytes at most (MariaDB's `gtrid` limit).
 */
export function newXid(prefix: string): string {
  return `${prefix}-${randomBytes(8).toString('hex')}`;
}

/** True when `xid` was made by `newXid(prefix)`. */
export function isOwnXid(xid: string, prefix: string): boolean {
  return new RegExp(`^${prefix}-[0-9a-f]{16}$`).test(xid);
}

/** An xid as an SQL string literal (ids are letters, digits, `_` and `-` only: checked, never escaped). */
export function xidLiteral(xid: string): string {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(xid)) throw new Error(`Not a two-phase transaction id: ${JSON.stringify(xid)}`);
  return `'${xid}'`;
}
