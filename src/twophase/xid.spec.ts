import { isOwnXid, newXid, xidLiteral } from './xid';

describe('two-phase transaction ids', () => {
  it('carry the prefix and fit MariaDB’s 64-byte gtrid', () => {
    const xid = newXid('a'.repeat(40));
    expect(xid.startsWith(`${'a'.repeat(40)}-`)).toBe(true);
    expect(Buffer.byteLength(xid)).toBeLessThanOrEqual(64);
    expect(newXid('shop')).not.toBe(newXid('shop'));
  });

  it('are recognised only with their own prefix', () => {
    const xid = newXid('shop');
    expect(isOwnXid(xid, 'shop')).toBe(true);
    expect(isOwnXid(xid, 'sho')).toBe(false);
    expect(isOwnXid(newXid('shop_eu'), 'shop')).toBe(false);
    expect(isOwnXid('shop-not-hex-at-all!', 'shop')).toBe(false);
  });

  it('are quoted only when they are plain ids', () => {
    expect(xidLiteral('shop-0123456789abcdef')).toBe("'shop-0123456789abcdef'");
    expect(() => xidLiteral("x'; DROP TABLE t; --")).toThrow(/Not a two-phase transaction id/);
  });
});
