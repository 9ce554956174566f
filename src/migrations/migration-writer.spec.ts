import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { classNameOf, renderTemplate, writeMigration } from './migration-writer';

describe('writeMigration', () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'alchemy-writer-'));
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('names the class after the message and a timestamp, and the file after both', () => {
    const { file, revision } = writeMigration({
      bindKey: 'default',
      directory,
      message: 'add books table',
      language: 'ts',
      up: [{ sql: 'CREATE TABLE "books" ("id" integer)' }],
      down: [{ sql: 'DROP TABLE "books"' }],
      now: 1700000000000,
    });
    expect(revision).toBe('AddBooksTable1700000000000');
    expect(basename(file)).toBe('1700000000000-add-books-table.ts');
    const source = readFileSync(file, 'utf8');
    expect(source).toContain("name = 'AddBooksTable1700000000000';");
    expect(source).toContain('    await queryRunner.query(`CREATE TABLE "books" ("id" integer)`);');
  });

  it('escapes what a template literal would interpret, and writes parameters', () => {
    const { file } = writeMigration({
      bindKey: 'default',
      directory,
      message: 'quotes',
      language: 'js',
      up: [{ sql: "CREATE TABLE `a` (`b` text DEFAULT '${x}\\n')", parameters: [1, 'two'] }],
      down: [],
      now: 1700000000000,
    });
    const source = readFileSync(file, 'utf8');
    expect(source).toContain(
      'await queryRunner.query(`CREATE TABLE \\`a\\` (\\`b\\` text DEFAULT \'\\${x}\\\\n\')`, [1,"two"]);',
    );
    expect(source).toContain('module.exports = { Quotes1700000000000 };');
  });

  it('sorts a new file after the newest one, even when the clock says otherwise', () => {
    writeFileSync(join(directory, '1800000000000-later.ts'), '');
    const { revision } = writeMigration({
      bindKey: 'default',
      directory,
      message: 'next',
      language: 'ts',
      up: [],
      down: [],
      now: 1700000000000,
    });
    expect(revision).toBe('Next1800000000001');
  });

  it('writes a JavaScript ES module that Node imports as one', () => {
    const { file, revision } = writeMigration({
      bindKey: 'default',
      directory,
      message: 'esm',
      language: 'js',
      moduleSystem: 'esm',
      extension: 'mjs',
      up: [{ sql: 'SELECT 1' }],
      down: [],
      now: 1700000000000,
    });
    expect(basename(file)).toBe('1700000000000-esm.mjs');
    expect(readFileSync(file, 'utf8')).not.toContain('module.exports');
    const script = `import(${JSON.stringify(file)}).then((m) => console.log(Object.keys(m).join(), typeof m.${revision}.prototype.up))`;
    expect(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }).trim()).toBe(`${revision} function`);
  });

  it("uses the directory's own template when there is one", () => {
    writeFileSync(join(directory, 'migration.ts.template'), '// {{message}}\nexport class {{className}} {}\n');
    const { file } = writeMigration({
      bindKey: 'default',
      directory,
      message: 'custom',
      language: 'ts',
      up: [],
      down: [],
      now: 1700000000000,
    });
    expect(readFileSync(file, 'utf8')).toBe('// custom\nexport class Custom1700000000000 {}\n');
  });
});

describe('names and templates', () => {
  it('makes class names from any message', () => {
    expect(classNameOf('create users')).toBe('CreateUsers');
    expect(classNameOf('2nd try!')).toBe('Migration2ndTry');
    expect(classNameOf('')).toBe('Migration');
  });

  it('fills known placeholders and leaves unknown ones', () => {
    expect(renderTemplate('{{a}} {{ b }} {{c}}', { a: '1', b: '$&' })).toBe('1 $& {{c}}');
  });
});
