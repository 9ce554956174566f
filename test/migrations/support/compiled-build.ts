import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';
import { FIXTURES, ROOT, TYPESCRIPT_ENV } from './run-command';

/**
 * A compiled copy of the library and of the fixture applications, as `nest build` leaves an
 * application: plain CommonJS, run by node without ts-node. It lives under node_modules/.cache so
 * that the copy still resolves the repository's packages, and `nestjs-advanced-alchemy` resolves
 * to the compiled library through a package of that name inside the copy.
 */
export interface CompiledBuild {
  root: string;
  /** Path in the copy of a file given relative to the repository, with `.ts` → `.js`. */
  path(sourcePath: string): string;
  dispose(): void;
}

export function buildCompiledCopy(): CompiledBuild {
  const cache = join(ROOT, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const root = mkdtempSync(join(cache, 'alchemy-migrations-build-'));
  const entry = libraryEntry();
  const sources = [...typescriptFiles(join(ROOT, 'src')), ...typescriptFiles(FIXTURES), entry];
  for (const source of new Set(sources)) {
    const output = ts.transpileModule(readFileSync(source, 'utf8'), {
      fileName: source,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2023,
        experimentalDecorators: true,
        emitDecoratorMetadata: true,
        esModuleInterop: true,
      },
    });
    const target = join(root, relative(ROOT, source)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, output.outputText);
  }
  const packageDirectory = join(root, 'node_modules', 'nestjs-advanced-alchemy');
  mkdirSync(packageDirectory, { recursive: true });
  writeFileSync(
    join(packageDirectory, 'package.json'),
    JSON.stringify({
      name: 'nestjs-advanced-alchemy',
      main: relative(packageDirectory, join(root, relative(ROOT, entry))).replace(/\.ts$/, '.js'),
    }),
  );
  return {
    root,
    path: (sourcePath) => join(root, sourcePath).replace(/\.ts$/, '.js'),
    dispose: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** The file `nestjs-advanced-alchemy` maps to in the tsconfig the tests compile with. */
function libraryEntry(): string {
  const project = TYPESCRIPT_ENV.TS_NODE_PROJECT as string;
  const config = ts.readConfigFile(project, (file) => readFileSync(file, 'utf8'));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, dirname(project));
  const [target] = parsed.options.paths?.['nestjs-advanced-alchemy'] ?? ['src/index.ts'];
  return join(parsed.options.baseUrl ?? ROOT, target);
}

function typescriptFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts'))
    .filter((entry) => !entry.name.endsWith('.d.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}
