import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';

// Every ```ts block of README.md and docs/*.md must type-check against the real library, so a
// snippet a reader pastes compiles. Each block is its own module; besides the library it may import
// the fixtures beside this file (`./book.entity`, `./app.module`), which stand for the reader's own code.

const root = resolve(__dirname, '..', '..');
const outDir = join(root, '.tmp', 'doc-snippets');

/** The blocks to type-check; the README's quick start (`// src/…` blocks) is checked as the fixture it is (quick-start spec). */
function snippetsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const blocks = [...text.matchAll(/^```(?:ts|typescript)\n([\s\S]*?)^```/gm)].map((match) => match[1]);
  return file.endsWith('README.md') ? blocks.filter((code) => !/^\/\/ (?:src|test)\/\S+\.ts\n/.test(code)) : blocks;
}

const documents = [
  join(root, 'README.md'),
  ...readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(root, 'docs', name)),
];

describe('documentation snippets', () => {
  const files: Array<{ document: string; index: number; path: string }> = [];

  beforeAll(() => {
    rmSync(outDir, { recursive: true, force: true });
    mkdirSync(outDir, { recursive: true });
    for (const fixture of readdirSync(join(__dirname, 'fixtures'))) {
      writeFileSync(join(outDir, fixture), readFileSync(join(__dirname, 'fixtures', fixture)));
    }
    for (const document of documents) {
      snippetsOf(document).forEach((code, index) => {
        const name = `${document.slice(root.length + 1).replace(/[/.]/g, '_')}_${index + 1}.ts`;
        const path = join(outDir, name);
        // `export {}` makes every block a module, so blocks do not see each other's names.
        writeFileSync(path, `${code}\nexport {};\n`);
        files.push({ document, index: index + 1, path });
      });
    }
  });

  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('has snippets to check', () => {
    expect(files.length).toBeGreaterThan(5);
  });

  it('type-checks every TypeScript block against the library', () => {
    const config = ts.readConfigFile(join(root, 'tsconfig.json'), (path) => ts.sys.readFile(path));
    const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
    const program = ts.createProgram(
      files.map((file) => file.path),
      { ...parsed.options, noEmit: true, noUnusedLocals: false },
    );
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((diagnostic) => diagnostic.file && diagnostic.file.fileName.startsWith(outDir))
      .map((diagnostic) => {
        const file = files.find((candidate) => candidate.path === diagnostic.file?.fileName);
        const { line } = diagnostic.file!.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
        const where = file ? `${file.document.slice(root.length + 1)} block ${file.index}, line ${line + 1}` : '?';
        return `${where}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;
      });
    expect(problems).toEqual([]);
  });
});
