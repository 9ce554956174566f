import { boundedChunkSize, chunked } from './chunks';

describe('chunks', () => {
  it('splits into consecutive chunks of at most the size', () => {
    expect(chunked([1, 2, 3, 4, 5, 6, 7], 3)).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    expect(chunked([], 3)).toEqual([]);
  });

  it('keeps rows × values per row under the bound, never below one row', () => {
    expect(boundedChunkSize(500, 10, 30000)).toBe(500);
    expect(boundedChunkSize(500, 100, 30000)).toBe(300);
    expect(boundedChunkSize(500, 50000, 30000)).toBe(1);
    expect(() => boundedChunkSize(0, 1, 10)).toThrow(RangeError);
  });
});
