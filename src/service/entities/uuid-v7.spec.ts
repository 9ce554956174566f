import { uuid7, uuid7Timestamp } from './uuid-v7';

const FORMAT = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('uuid7', () => {
  it('has the version 7 and RFC 9562 variant bits, and the millisecond timestamp in its first 48 bits', () => {
    const at = Date.UTC(2030, 4, 6, 7, 8, 9, 123);
    const id = uuid7(at);
    expect(id).toMatch(FORMAT);
    expect(uuid7Timestamp(id)).toBe(at);
    expect(id.slice(0, 13).replace('-', '')).toBe(at.toString(16).padStart(12, '0'));
  });

  it('grows strictly within one millisecond, and carries the timestamp forward when the sequence runs out', () => {
    const at = Date.UTC(2031, 0, 1);
    const ids = Array.from({ length: 10000 }, () => uuid7(at));
    for (let index = 1; index < ids.length; index++) expect(ids[index] > ids[index - 1]).toBe(true);
    expect(ids.every((id) => FORMAT.test(id))).toBe(true);
    expect(uuid7Timestamp(ids[ids.length - 1])).toBeGreaterThan(at);
  });

  it('keeps growing when the clock steps back', () => {
    const first = uuid7(Date.UTC(2032, 0, 1, 0, 0, 1));
    const second = uuid7(Date.UTC(2032, 0, 1, 0, 0, 0));
    expect(second > first).toBe(true);
  });

  it('is random in its last 62 bits', () => {
    const tails = new Set(Array.from({ length: 100 }, () => uuid7().slice(19)));
    expect(tails.size).toBe(100);
  });

  it('uuid7Timestamp refuses other UUID versions', () => {
    expect(() => uuid7Timestamp('0189c5f5-1c4b-4c3d-8e2f-0123456789ab')).toThrow(TypeError);
  });
});
