import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chooseMigrationFormat } from './migration-format';
import { moduleSystemOf } from './module-system';
import { buildCounterpart, readJsonWithComments, readTypeScriptLayout, sourceCounterpart } from './project-layout';

// A project as `nest new` lays it out: package.json (with or without "type": "module"),
// tsconfig.json + tsconfig.build.json (rootDir ./src, outDir ./dist), nest-cli.json.
function makeProject(type: 'module' | undefined): string {
  const root = mkdtempSync(join(tmpdir(), 'alchemy-layout-'));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'app', ...(type ? { type } : {}) }));
  writeFileSync(
    join(root, 'tsconfig.json'),
    '{ "compilerOptions": { "module": "nodenext", "outDir": "./dist", "rootDir": "." } } // comments are allowed',
  );
  writeFileSync(
    join(root, 'tsconfig.build.json'),
    JSON.stringify({ extends: './tsconfig.json', compilerOptions: { rootDir: './src' }, include: ['src'] }),
  );
  writeFileSync(join(root, 'nest-cli.json'), JSON.stringify({ sourceRoot: 'src' }));
  mkdirSync(join(root, 'src'));
  writeFileSync(join(root, 'src', 'main.ts'), '');
  return root;
}

describe('the project layout and the format of new migrations', () => {
  const roots: string[] = [];
  afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));
  const project = (type: 'module' | undefined) => {
    const root = makeProject(type);
    roots.push(root);
    return root;
  };

  it('maps the build output back to the sources nest build compiles into it, and the sources to the build', () => {
    const root = project('module');
    const layout = readTypeScriptLayout(root);
    expect(layout).toEqual({ sourceRoot: join(root, 'src'), rootDir: join(root, 'src'), outDir: join(root, 'dist') });
    expect(sourceCounterpart(layout!, join(root, 'dist', 'migrations', 'default'))).toBe(
      join(root, 'src', 'migrations', 'default'),
    );
    expect(buildCounterpart(layout!, join(root, 'src', 'migrations', 'default'))).toBe(
      join(root, 'dist', 'migrations', 'default'),
    );
    expect(sourceCounterpart(layout!, '/elsewhere/migrations')).toBe('/elsewhere/migrations');
  });

  it('has no layout without a tsconfig.json', () => {
    const root = mkdtempSync(join(tmpdir(), 'alchemy-layout-js-'));
    roots.push(root);
    expect(readTypeScriptLayout(root)).toBeUndefined();
  });

  it('writes TypeScript ES modules in the sources of a "type": "module" project', () => {
    const root = project('module');
    const directory = join(root, 'src', 'migrations', 'default');
    expect(chooseMigrationFormat({}, directory, readTypeScriptLayout(root))).toEqual({
      language: 'ts',
      moduleSystem: 'esm',
      extension: 'ts',
    });
    expect(chooseMigrationFormat({ js: true }, directory, readTypeScriptLayout(root))).toEqual({
      language: 'js',
      moduleSystem: 'esm',
      extension: 'js',
    });
  });

  it('writes CommonJS in a project without "type", and an explicit option picks the extension Node needs', () => {
    const root = project(undefined);
    const directory = join(root, 'src', 'migrations', 'default');
    const layout = readTypeScriptLayout(root);
    expect(chooseMigrationFormat({}, directory, layout)).toEqual({
      language: 'ts',
      moduleSystem: 'commonjs',
      extension: 'ts',
    });
    expect(chooseMigrationFormat({ esm: true, js: true }, directory, layout)).toEqual({
      language: 'js',
      moduleSystem: 'esm',
      extension: 'mjs',
    });
    const esmProject = project('module');
    expect(
      chooseMigrationFormat({ cjs: true }, join(esmProject, 'src', 'm'), readTypeScriptLayout(esmProject)),
    ).toEqual({ language: 'ts', moduleSystem: 'commonjs', extension: 'cts' });
  });

  it('gives each file the module system Node gives it', () => {
    const root = project('module');
    expect(moduleSystemOf(join(root, 'src', 'a.ts'))).toBe('esm');
    expect(moduleSystemOf(join(root, 'src', 'a.cjs'))).toBe('commonjs');
    const cjs = project(undefined);
    expect(moduleSystemOf(join(cjs, 'src', 'a.js'))).toBe('commonjs');
    expect(moduleSystemOf(join(cjs, 'src', 'a.mts'))).toBe('esm');
  });

  it('reads a tsconfig without TypeScript: comments and trailing commas, not inside strings', () => {
    const root = project(undefined);
    const file = join(root, 'tsconfig.extra.json');
    writeFileSync(
      file,
      '{\n  // where\n  "outDir": "./dist", /* built */ "url": "http://x/*y*/", "q": "a\\"//b",\n}\n',
    );
    expect(readJsonWithComments(file)).toEqual({ outDir: './dist', url: 'http://x/*y*/', q: 'a"//b' });
  });
});
