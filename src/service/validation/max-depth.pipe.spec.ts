import { BadRequestException } from '@nestjs/common';
import { exceedsDepth, MaxDepthPipe } from './max-depth.pipe';

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let level = 0; level < depth; level++) value = level % 2 ? [value] : { a: value };
  return value;
}

describe('MaxDepthPipe', () => {
  it('counts objects and arrays as levels, scalars as none', () => {
    expect(exceedsDepth('text', 0)).toBe(false);
    expect(exceedsDepth({}, 1)).toBe(false);
    expect(exceedsDepth(nested(3), 3)).toBe(false);
    expect(exceedsDepth(nested(4), 3)).toBe(true);
    expect(exceedsDepth({ flat: 1, deep: nested(5) }, 5)).toBe(true);
  });

  it('measures a million levels without overflowing the stack', () => {
    expect(exceedsDepth(nested(1_000_000), 32)).toBe(true);
  });

  it('refuses a body past the limit with a 400, and lets other arguments through', () => {
    const pipe = new MaxDepthPipe(4);
    expect(() => pipe.transform(nested(5), { type: 'body' })).toThrow(BadRequestException);
    expect(() => pipe.transform(nested(5), { type: 'body' })).toThrow('nested deeper than 4 levels');
    const body = nested(4);
    expect(pipe.transform(body, { type: 'body' })).toBe(body);
    expect(pipe.transform(nested(5), { type: 'query' })).toEqual(nested(5));
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(() => new MaxDepthPipe(0)).toThrow('maxDepth must be a positive integer');
  });
});
