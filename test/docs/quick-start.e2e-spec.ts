import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

// The README's quick start is the ES module fixture project that CI builds, starts and tests
// (test/nest-new): each of its blocks that starts with `// src/<file>` must be that file, byte for byte.

const root = resolve(__dirname, '..', '..');
const fixture = join(root, 'test', 'fixtures', 'nest-new-esm');

function quickStartBlocks(readme: string): Array<{ path: string; code: string }> {
  return [...readme.matchAll(/^```ts\n(\/\/ (src\/\S+\.ts)\n[\s\S]*?)^```/gm)].map((match) => ({
    path: match[2],
    code: match[1],
  }));
}

describe('the quick start of the README', () => {
  const blocks = quickStartBlocks(readFileSync(join(root, 'README.md'), 'utf8'));

  it('shows the module, the books feature and main.ts', () => {
    expect(blocks.map((block) => block.path)).toEqual([
      'src/books/book.entity.ts',
      'src/books/create-book.dto.ts',
      'src/books/books.service.ts',
      'src/books/books.controller.ts',
      'src/books/books.module.ts',
      'src/app.module.ts',
      'src/main.ts',
    ]);
  });

  it.each(blocks.map((block) => [block.path, block.code]))('%s is the fixture file', (path, code) => {
    const file = join(fixture, path);
    expect(existsSync(file)).toBe(true);
    expect(code).toBe(readFileSync(file, 'utf8'));
  });
});
