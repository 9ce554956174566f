// `npm run bench:instructions -- [--variants manual,ours] [--kinds sqlite,postgres] [--pairs 200] [--warm-up 100]`:
// instructions and bytes allocated per POST /items + GET /items/1 pair, each variant in its own process
// (bench/count-instructions.ts). Instruction counts come from valgrind's callgrind over the measured pairs only
// (JIT on, `node --single-threaded`): they do not move with the machine's load, so they decide where the wall
// clock cannot. Needs valgrind (`apt-get install valgrind`).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { detectTestDatabases, testDatabaseKinds, type TestDatabaseKind } from 'nestjs-advanced-alchemy/testing';
import { prepareDatabase } from './prepare-database';

const { values: options } = parseArgs({
  options: {
    variants: { type: 'string', default: 'manual,ours' },
    kinds: { type: 'string', default: 'sqlite,postgres' },
    pairs: { type: 'string', default: '200' },
    'warm-up': { type: 'string', default: '100' },
    bytes: { type: 'boolean', default: true },
  },
});
const COUNTER = join(__dirname, 'count-instructions.js');

function instructions(variant: string, kind: string, connectionString: string): number {
  // Kept for `callgrind_annotate` (by function: V8's builtins and Node's C++ are named, JIT-compiled JavaScript is not).
  const out = join(process.cwd(), '.tmp', `callgrind.${kind}.${variant.replace(/\W/g, '_')}`);
  const run = spawnSync(
    'valgrind',
    [
      '--tool=callgrind',
      '--instr-atstart=no',
      `--callgrind-out-file=${out}`,
      process.execPath,
      '--single-threaded',
    ].concat([COUNTER, variant, connectionString, options['warm-up'], options.pairs, 'instructions']),
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  if (run.status !== 0) throw new Error(`${variant}: callgrind run failed\n${run.stderr.slice(-2000)}`);
  const summary = /^totals:\s+(\d+)/m.exec(readFileSync(out, 'utf8'));
  if (!summary) throw new Error(`${variant}: no summary in callgrind's output`);
  return Number(summary[1]) / Number(options.pairs);
}

function bytes(variant: string, connectionString: string): { bytesPerPair: number; collections: number } {
  const run = spawnSync(
    process.execPath,
    [
      '--expose-gc',
      '--min-semi-space-size=64',
      '--max-semi-space-size=128',
      COUNTER,
      variant,
      connectionString,
      options['warm-up'],
      options.pairs,
    ].concat(['bytes']),
    { encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(`${variant}: run failed\n${run.stderr.slice(-2000)}`);
  return JSON.parse(run.stdout.trim().split('\n').pop() as string) as { bytesPerPair: number; collections: number };
}

async function main(): Promise<void> {
  mkdirSync(join(process.cwd(), '.tmp'), { recursive: true });
  await detectTestDatabases();
  const available = testDatabaseKinds();
  const variants = options.variants.split(',');
  console.log(`Node ${process.version}, ${options.pairs} measured pairs after ${options['warm-up']} warm-up pairs`);
  console.log('| database | variant | instructions per pair | ÷ first variant | bytes per pair | over first variant |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: |');
  for (const kind of options.kinds.split(',') as TestDatabaseKind[]) {
    if (!available.includes(kind)) {
      console.log(`| ${kind} | not reachable, skipped | | | | |`);
      continue;
    }
    const database = await prepareDatabase(kind);
    try {
      let first: { count: number; bytes: number } | undefined;
      for (const variant of variants) {
        const count = instructions(variant, kind, database.connectionString);
        const allocated = options.bytes
          ? bytes(variant, database.connectionString)
          : { bytesPerPair: NaN, collections: 0 };
        first ??= { count, bytes: allocated.bytesPerPair };
        const gcNote = allocated.collections > 0 ? ` (${allocated.collections} GC)` : '';
        console.log(
          `| ${kind} | ${variant} | ${(count / 1e6).toFixed(3)} M | ${(count / first.count).toFixed(3)} | ` +
            `${allocated.bytesPerPair}${gcNote} | ${allocated.bytesPerPair - first.bytes} |`,
        );
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
