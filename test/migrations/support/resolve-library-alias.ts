import Module from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

// Preloaded (`node -r`) into child processes that run TypeScript sources: resolves the aliases of the
// tsconfig they compile with (TS_NODE_PROJECT) — `nestjs-advanced-alchemy` and
// `nestjs-advanced-alchemy/testing` — as jest's moduleNameMapper does for the suites themselves.
const project = process.env.TS_NODE_PROJECT ?? join(__dirname, '..', '..', '..', 'tsconfig.json');

interface TsconfigFile {
  extends?: string;
  compilerOptions?: { baseUrl?: string; paths?: Record<string, string[]> };
}

function readPaths(file: string): Map<string, string> {
  const tsconfig = JSON.parse(readFileSync(file, 'utf8')) as TsconfigFile;
  const inherited = tsconfig.extends ? readPaths(join(dirname(file), tsconfig.extends)) : new Map<string, string>();
  const base = join(dirname(file), tsconfig.compilerOptions?.baseUrl ?? '.');
  for (const [alias, [target]] of Object.entries(tsconfig.compilerOptions?.paths ?? {})) {
    inherited.set(alias, join(base, target));
  }
  return inherited;
}

const aliases = readPaths(project);
type Resolve = (request: string, ...rest: unknown[]) => string;
const resolver = Module as unknown as { _resolveFilename: Resolve };
const resolveFilename = resolver._resolveFilename;

resolver._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
  return resolveFilename.call(this, aliases.get(request) ?? request, ...rest);
};
