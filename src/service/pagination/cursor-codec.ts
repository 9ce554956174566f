import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { InvalidFilterError } from '../../errors/invalid-filter.error';

/** What a cursor carries: the entity, the ordering it was made for, and the last row's sort values. */
export interface CursorPayload {
  entity: string;
  order: string;
  values: unknown[];
}

/** The key cursors are signed with where none is configured: random, so valid in this process only. */
let processKey: Buffer | undefined;

/** The signing key: the configured secret, else this process's random one. */
export function cursorKey(secret: string | Buffer | undefined): Buffer {
  if (secret !== undefined) {
    const key = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
    if (key.length < 16) throw new TypeError('A cursor secret needs at least 16 bytes.');
    return key;
  }
  processKey ??= randomBytes(32);
  return processKey;
}

function signature(key: Buffer, body: string): Buffer {
  return createHmac('sha256', key).update(body).digest();
}

/** An opaque cursor: the payload as base64url JSON, a dot, its HMAC-SHA256. */
export function encodeCursor(payload: CursorPayload, key: Buffer): string {
  const body = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
  return `${body}.${signature(key, body).toString('base64url')}`;
}

/**
 * The payload of a cursor this key signed; anything else (altered, cut, made with another key, or
 * for another entity or ordering) is an `InvalidFilterError` (400).
 */
export function decodeCursor(cursor: string, key: Buffer, expected: { entity: string; order: string }): unknown[] {
  const refused = (why: string) =>
    new InvalidFilterError(`The cursor is not valid here: ${why}. Start again without one.`);
  const [body, mac, ...rest] = typeof cursor === 'string' ? cursor.split('.') : [];
  if (!body || !mac || rest.length > 0) throw refused('it is malformed');
  const given = Buffer.from(mac, 'base64url');
  const wanted = signature(key, body);
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) throw refused('its signature does not match');
  const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as CursorPayload;
  if (payload.entity !== expected.entity) throw refused(`it was made for ${payload.entity}`);
  if (payload.order !== expected.order) throw refused(`it was made for the ordering ${payload.order}`);
  return payload.values;
}
