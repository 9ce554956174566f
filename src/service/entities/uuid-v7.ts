import { randomBytes } from 'node:crypto';

let lastMilliseconds = -1;
let sequence = 0;

/**
 * A UUID version 7 (RFC 9562): 48 bits of Unix time in milliseconds, then 12 bits used as a
 * sequence (method 1 of §6.2) and 62 random bits. UUIDs made by one process sort in creation
 * order, as text and as bytes: within a millisecond the sequence grows (from a random start in
 * its lower half); when it runs out, or when the clock steps back, the timestamp is carried forward.
 */
export function uuid7(now: number = Date.now()): string {
  const bytes = randomBytes(16);
  let milliseconds = Math.max(Math.floor(now), lastMilliseconds);
  if (milliseconds === lastMilliseconds) {
    sequence++;
    if (sequence > 0xfff) {
      milliseconds++;
      sequence = ((bytes[6] << 8) | bytes[7]) & 0x7ff;
    }
  } else {
    sequence = ((bytes[6] << 8) | bytes[7]) & 0x7ff;
  }
  lastMilliseconds = milliseconds;
  const high = Math.floor(milliseconds / 0x1000000); // the upper 24 of the 48 bits
  const low = milliseconds % 0x1000000;
  bytes[0] = (high >>> 16) & 0xff;
  bytes[1] = (high >>> 8) & 0xff;
  bytes[2] = high & 0xff;
  bytes[3] = (low >>> 16) & 0xff;
  bytes[4] = (low >>> 8) & 0xff;
  bytes[5] = low & 0xff;
  bytes[6] = 0x70 | (sequence >>> 8);
  bytes[7] = sequence & 0xff;
  bytes[8] = 0x80 | (bytes[8] & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The creation time a UUID v7 carries, in milliseconds since the Unix epoch. */
export function uuid7Timestamp(uuid: string): number {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-f]{12}7/i.test(hex)) throw new TypeError(`${uuid} is not a UUID version 7.`);
  return parseInt(hex.slice(0, 12), 16);
}
