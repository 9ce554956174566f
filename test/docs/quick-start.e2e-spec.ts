import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

// The README's quick start is the ES module fixture project that CI builds, starts and tests
// (test/nest-new): each of its blocks that starts with `// src/<file>` or `// test/<file>` must be that
// file, byte for byte. A user following it ends with `nest new`'s own files dealt with, the loader the
// command line needs installed, and the project's own e2e test passing.

const root = resolve(__dirname, '..', '..');
const fixture = join(root, 'test', 'fixtures', 'nest-new-esm');

function quickStartBlocks(readme: string): Array<{ path: string; code: string }> {
  return [...readme.matchAll(/^```ts\n(\/\/ ((?:src|test)\/\S+\.ts)\n[\s\S]*?)^```/gm)].map((match) => ({
    path: match[2],
    code: match[1],
  }));
}

describe('the quick start of the README', () => {
  const blocks = quickStartBlocks(readFileSync(join(root, 'README.md'), 'utf8'));

  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const quickStart = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('## Performance'));

  it("shows the module, the books feature, main.ts and the e2e test that replaces nest new's", () => {
    expect(blocks.map((block) => block.path)).toEqual([
      'src/books/book.entity.ts',
      'src/books/create-book.dto.ts',
      'src/books/books.service.ts',
      'src/books/books.controller.ts',
      'src/books/books.module.ts',
      'src/app.module.ts',
      'src/main.ts',
      'test/app.e2e-spec.ts',
    ]);
  });

  it("says what to do with nest new's hello-world files, whose test would fail (GET / is gone)", () => {
    expect(quickStart).toContain('rm src/app.controller.ts src/app.controller.spec.ts src/app.service.ts');
    expect(quickStart).toContain('test/app.e2e-spec.ts');
  });

  it('installs the TypeScript loader the migrations command line needs on an ES module project', () => {
    const install = /```sh\n([\s\S]*?)```/.exec(quickStart)?.[1] ?? '';
    expect(install).toContain('npm install --save-dev @swc-node/register @swc/core');
  });

  it('tells to state commitMode, and what leaving it out does', () => {
    expect(quickStart).toContain('commitMode');
    expect(quickStart).toContain('left-unstated-a-lost-write-fails-loudly');
  });

  it.each(blocks.map((block) => [block.path, block.code]))('%s is the fixture file', (path, code) => {
    const file = join(fixture, path);
    expect(existsSync(file)).toBe(true);
    expect(code).toBe(readFileSync(file, 'utf8'));
  });
});
