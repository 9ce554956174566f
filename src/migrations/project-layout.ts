import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/**
 * Where a TypeScript project keeps its sources and where `nest build` puts the JavaScript: read
 * from `nest-cli.json` (`sourceRoot`, `compilerOptions.tsConfigPath`) and that tsconfig.
 */
export interface TypeScriptLayout {
  /** Nest's `sourceRoot` (default `src`), absolute. */
  sourceRoot: string;
  /** The build's `rootDir` (absolute): what `outDir` mirrors. */
  rootDir: string;
  /** The build's `outDir` (absolute), which `nest build` empties (`deleteOutDir`). */
  outDir: string;
}

interface NestCliJson {
  sourceRoot?: string;
  compilerOptions?: { tsConfigPath?: string };
}

interface TypeScriptApi {
  readConfigFile(file: string, read: (path: string) => string | undefined): { config?: unknown };
  parseJsonConfigFileContent(
    json: unknown,
    host: unknown,
    basePath: string,
  ): { options: { rootDir?: string; outDir?: string }; fileNames: string[] };
  sys: unknown;
}

/**
 * The layout of the TypeScript project in `projectDirectory`, or `undefined` (no tsconfig, no `outDir`).
 * `compiler: false` reads the tsconfig files as JSON instead of loading TypeScript (what a running
 * application's startup check does: loading the compiler would cost it a second and its memory).
 */
export function readTypeScriptLayout(projectDirectory: string, compiler = true): TypeScriptLayout | undefined {
  if (!existsSync(join(projectDirectory, 'tsconfig.json'))) return undefined;
  const nestCli = readNestCli(projectDirectory);
  const buildConfig = [nestCli.compilerOptions?.tsConfigPath, 'tsconfig.build.json', 'tsconfig.json']
    .filter((name): name is string => name !== undefined)
    .map((name) => resolve(projectDirectory, name))
    .find((file) => existsSync(file));
  if (!buildConfig) return undefined;
  const options = compilerOptionsOf(buildConfig, projectDirectory, compiler);
  if (!options?.outDir) return undefined;
  return {
    sourceRoot: resolve(projectDirectory, nestCli.sourceRoot ?? 'src'),
    rootDir: resolve(options.rootDir ?? commonDirectory(options.fileNames) ?? projectDirectory),
    outDir: resolve(options.outDir),
  };
}

/**
 * `rootDir`/`outDir` of a tsconfig with its `extends` applied, by the project's TypeScript (or
 * this package's). A production image may have neither: then the file is read as JSON with
 * comments, following relative `extends`.
 */
function compilerOptionsOf(
  configFile: string,
  projectDirectory: string,
  compiler: boolean,
): { rootDir?: string; outDir?: string; fileNames: string[] } | undefined {
  const ts = compiler ? loadTypeScript(projectDirectory) : undefined;
  if (ts) {
    const { config } = ts.readConfigFile(configFile, (path) => readFileSync(path, 'utf8'));
    const parsed = ts.parseJsonConfigFileContent(config, ts.sys, dirname(configFile));
    return { ...parsed.options, fileNames: parsed.fileNames };
  }
  const options: { rootDir?: string; outDir?: string } = {};
  for (let file: string | undefined = configFile; file;) {
    const json = readJsonWithComments(file) as { extends?: unknown; compilerOptions?: Record<string, unknown> };
    for (const key of ['rootDir', 'outDir'] as const) {
      const value = json?.compilerOptions?.[key];
      if (options[key] === undefined && typeof value === 'string') options[key] = resolve(dirname(file), value);
    }
    file =
      typeof json?.extends === 'string' && json.extends.startsWith('.')
        ? resolve(dirname(file), json.extends)
        : undefined;
    if (file && !file.endsWith('.json')) file += '.json';
  }
  return { ...options, fileNames: [] };
}

/** The directory of the sources that `nest build` compiles into `directory`; `directory` itself when outside the build. */
export function sourceCounterpart(layout: TypeScriptLayout, directory: string): string {
  return isInside(layout.outDir, directory) ? join(layout.rootDir, relative(layout.outDir, directory)) : directory;
}

/** The directory `nest build` compiles the sources in `directory` into; `directory` itself when not compiled. */
export function buildCounterpart(layout: TypeScriptLayout, directory: string): string {
  return isInside(layout.rootDir, directory) && !isInside(layout.outDir, directory)
    ? join(layout.outDir, relative(layout.rootDir, directory))
    : directory;
}

/** True when `directory` is `parent` or below it. */
export function isInside(parent: string, directory: string): boolean {
  const path = relative(parent, directory);
  return path === '' || (!path.startsWith(`..${sep}`) && path !== '..' && !isAbsolute(path));
}

function readNestCli(projectDirectory: string): NestCliJson {
  try {
    return JSON.parse(readFileSync(join(projectDirectory, 'nest-cli.json'), 'utf8')) as NestCliJson;
  } catch {
    return {};
  }
}

function loadTypeScript(projectDirectory: string): TypeScriptApi | undefined {
  for (const from of [join(projectDirectory, 'noop.js'), __filename]) {
    try {
      return createRequire(from)('typescript') as TypeScriptApi;
    } catch {
      // Not installed there: try the next place, then read the JSON ourselves.
    }
  }
  return undefined;
}

/** Reads a tsconfig file: JSON with comments and trailing commas; `undefined` when unreadable. */
export function readJsonWithComments(file: string): unknown {
  try {
    const text = readFileSync(file, 'utf8');
    let json = '';
    for (let index = 0; index < text.length; index++) {
      const char = text[index];
      if (char === '"') {
        const end = stringEnd(text, index);
        json += text.slice(index, end);
        index = end - 1;
      } else if (char === '/' && text[index + 1] === '/') {
        index = text.indexOf('\n', index) === -1 ? text.length : text.indexOf('\n', index) - 1;
      } else if (char === '/' && text[index + 1] === '*') {
        index = text.indexOf('*/', index + 2) === -1 ? text.length : text.indexOf('*/', index + 2) + 1;
      } else {
        json += char;
      }
    }
    return JSON.parse(json.replace(/,(\s*[}\]])/g, '$1'));
  } catch {
    return undefined;
  }
}

/** The index after the closing quote of the string that starts at `start`. */
function stringEnd(text: string, start: number): number {
  let index = start + 1;
  while (index < text.length && text[index] !== '"') index += text[index] === '\\' ? 2 : 1;
  return index + 1;
}

function commonDirectory(files: readonly string[]): string | undefined {
  if (files.length === 0) return undefined;
  return files.map(dirname).reduce((common, directory) => {
    while (!isInside(common, directory)) common = dirname(common);
    return common;
  });
}
