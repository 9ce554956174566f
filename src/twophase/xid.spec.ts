import { isOwnXid, newInstanceId, newXid, parseOwnXid, xidLiteral } from './xid';

describe('two-phase transaction ids', () => {
  it('carry the prefix and the instance id, and fit MariaDB’s 64-byte gtrid', () => {
    const instance = newInstanceId();
    const xid = newXid('a'.repeat(40), instance);
    expect(xid.startsWith(`${'a'.repeat(40)}-${instance}-`)).toBe(true);
    expect(Buffer.byteLength(xid)).toBeLessThanOrEqual(64);
    expect(newXid('shop', instance)).not.toBe(newXid('shop', instance));
    expect(newInstanceId()).not.toBe(instance);
  });

  it('name the instance that made them (none for the ids of earlier versions)', () => {
    expect(parseOwnXid(newXid('shop', '0a1b2c3d'), 'shop')).toEqual({ instanceId: '0a1b2c3d' });
    expect(parseOwnXid('shop-0123456789abcdef', 'shop')).toEqual({});
  });

  it('are recognised only with their own prefix', () => {
    const xid = newXid('shop', newInstanceId());
    expect(isOwnXid(xid, 'shop')).toBe(true);
    expect(isOwnXid(xid, 'sho')).toBe(false);
    expect(isOwnXid(newXid('shop_eu', newInstanceId()), 'shop')).toBe(false);
    expect(isOwnXid('shop-not-hex-at-all!', 'shop')).toBe(false);
    expect(isOwnXid('shop-0123456789abcdef', 'shop')).toBe(true);
  });

  it('are quoted only when they are plain ids', () => {
    expect(xidLiteral('shop-0123456789abcdef')).toBe("'shop-0123456789abcdef'");
    expect(() => xidLiteral("x'; DROP TABLE t; --")).toThrow(/Not a two-phase transaction id/);
  });
});
