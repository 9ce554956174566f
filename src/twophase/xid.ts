import { randomBytes } from 'node:crypto';

/** The prefix used when `sessionConfig.twophasePrefix` is not set. */
export const DEFAULT_XID_PREFIX = 'aa2pc';

/** A new instance id: 8 hex digits, random per process (its lease row says whether it is alive). */
export function newInstanceId(): string {
  return randomBytes(4).toString('hex');
}

/**
 * A transaction id of this application's own: `<prefix>-<instance id>-<12 hex digits>`. Recovery
 * resolves only ids that start with `<prefix>-`, so prepared transactions of other applications on
 * the same server are never touched, and only those whose instance's lease expired, so a live
 * instance's undecided transactions are never touched either. 62 bytes at most (MariaDB's `gtrid`
 * limit is 64).
 */
export function newXid(prefix: string, instanceId: string): string {
  return `${prefix}-${instanceId}-${randomBytes(6).toString('hex')}`;
}

/** What an xid of this application says: the instance that made it (undefined: an id of a version without instance ids). */
export interface OwnXid {
  instanceId?: string;
}

/**
 * The parts of `xid` when it was made by this application (`newXid(prefix, …)`, or the
 * `<prefix>-<16 hex digits>` of earlier versions, which name no instance), else undefined.
 */
export function parseOwnXid(xid: string, prefix: string): OwnXid | undefined {
  if (!xid.startsWith(`${prefix}-`)) return undefined;
  const rest = xid.slice(prefix.length + 1);
  const current = /^([0-9a-f]{8})-[0-9a-f]{12}$/.exec(rest);
  if (current) return { instanceId: current[1] };
  return /^[0-9a-f]{16}$/.test(rest) ? {} : undefined;
}

/** True when `xid` was made by this application (any instance, any version). */
export function isOwnXid(xid: string, prefix: string): boolean {
  return parseOwnXid(xid, prefix) !== undefined;
}

/** An xid as an SQL string literal (ids are letters, digits, `_` and `-` only: checked, never escaped). */
export function xidLiteral(xid: string): string {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(xid)) throw new Error(`Not a two-phase transaction id: ${JSON.stringify(xid)}`);
  return `'${xid}'`;
}
