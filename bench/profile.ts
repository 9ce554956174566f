// `npm run bench:profile -- --variants manual,ours --kinds postgres --method GET`: a CPU profile
// (`node --cpu-prof`) of each variant's server under the bench's load, summarised as self time per
// package and the heaviest functions. Findings go in bench/PROFILE.md.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { detectTestDatabases, type TestDatabaseKind } from 'nestjs-advanced-alchemy/testing';
import { load } from './load';
import { startServer, stopServer } from './bench-server';
import { prepareDatabase, READ_ROW } from './prepare-database';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const { values: options } = parseArgs({
  options: {
    variants: { type: 'string', default: 'manual,ours' },
    kinds: { type: 'string', default: 'postgres' },
    method: { type: 'string', default: 'GET' },
    seconds: { type: 'string', default: '6' },
    top: { type: 'string', default: '25' },
  },
});

/** Where a function's code lives: our library, a package, or Node itself. */
function ownerOf(url: string): string {
  if (url === '') return '(native / garbage collector / idle)';
  if (url.startsWith('node:')) return 'node core';
  const packageMatch = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (packageMatch) return packageMatch[1] === 'nestjs-advanced-alchemy' ? 'nestjs-advanced-alchemy' : packageMatch[1];
  if (url.includes('/dist/src/')) return 'nestjs-advanced-alchemy';
  if (url.includes('/dist/bench/')) return 'bench app';
  return url;
}

function summarise(profile: CpuProfile, requests: number, top: number): string {
  const selfMicros = new Map<number, number>();
  profile.samples.forEach((id, index) => selfMicros.set(id, (selfMicros.get(id) ?? 0) + profile.timeDeltas[index]));
  const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
  const byOwner = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, micros] of selfMicros) {
    const frame = (byNode.get(id) as ProfileNode).callFrame;
    if (frame.functionName === '(idle)') {
      idle += micros;
      continue;
    }
    total += micros;
    const owner = ownerOf(frame.url);
    byOwner.set(owner, (byOwner.get(owner) ?? 0) + micros);
    const name = `${frame.functionName || '(anonymous)'} ${owner === 'node core' ? frame.url : owner}:${frame.lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
  }
  const percent = (micros: number) => ((100 * micros) / total).toFixed(1);
  const perRequest = (micros: number) => (micros / requests).toFixed(1);
  const lines = [
    `${requests} requests; busy ${(total / 1e6).toFixed(2)} s, idle ${(idle / 1e6).toFixed(2)} s; ` +
      `**${perRequest(total)} µs of CPU per request**`,
    '',
    '| where | self % | µs / request |',
    '|---|---:|---:|',
  ];
  for (const [owner, micros] of [...byOwner].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
    lines.push(`| ${owner} | ${percent(micros)} | ${perRequest(micros)} |`);
  }
  lines.push('', '| function | self % | µs / request |', '|---|---:|---:|');
  for (const [name, micros] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    lines.push(`| \`${name}\` | ${percent(micros)} | ${perRequest(micros)} |`);
  }
  return lines.join('\n');
}

async function profileVariant(
  variant: string,
  connectionString: string,
): Promise<{ profile: CpuProfile; requests: number }> {
  const directory = mkdtempSync(join(tmpdir(), 'alchemy-prof-'));
  const server = await startServer(variant, connectionString, {
    execArgv: ['--cpu-prof', `--cpu-prof-dir=${directory}`],
  });
  const port = server.port;
  const method = options.method === 'POST' ? 'POST' : 'GET';
  const path = variant.startsWith('ping')
    ? () => '/ping'
    : method === 'POST'
      ? () => '/items'
      : () => `/items/${READ_ROW}`;
  // The profile covers startup and warm-up too: both loads count (startup is small beside them).
  const warmUp = await load({ port, method, path, seconds: 2 });
  const result = await load({ port, method, path, seconds: Number(options.seconds) });
  await stopServer(server);
  const file = readdirSync(directory).find((name) => name.endsWith('.cpuprofile')) as string;
  const profile = JSON.parse(readFileSync(join(directory, file), 'utf8')) as CpuProfile;
  rmSync(directory, { recursive: true, force: true });
  return { profile, requests: warmUp.ok + warmUp.failed + result.ok + result.failed };
}

async function main(): Promise<void> {
  await detectTestDatabases();
  for (const kind of (options.kinds as string).split(',') as TestDatabaseKind[]) {
    const database = await prepareDatabase(kind);
    try {
      for (const variant of (options.variants as string).split(',')) {
        const { profile, requests } = await profileVariant(variant, database.connectionString);
        const summary = summarise(profile, requests, Number(options.top));
        process.stdout.write(`\n### ${variant} on ${kind}, ${options.method}\n\n${summary}\n`);
      }
    } finally {
      await database.drop();
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
