// `npm run bench`: every variant in its own server process, load from this process over loopback,
// variants interleaved in rounds; ratios to `manual` are computed per round so machine drift cancels.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  detectTestDatabases,
  openProbe,
  testDatabaseKinds,
  type DatabaseProbe,
  type TestDatabaseKind,
} from 'nestjs-advanced-alchemy/testing';
import { load, type LoadResult } from './load';
import { memoryOf, measuredLoad, startServer, stopServer } from './bench-server';
import { prepareDatabase, READ_ROW } from './prepare-database';
import { formatReport, type Measurement, type Extras } from './report';
import { VARIANTS as VARIANT_FACTORIES } from './variants';

const { values: options } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    // A subset, for working on one variant or one database: --variants manual,ours --kinds postgres
    variants: { type: 'string' },
    kinds: { type: 'string' },
    rounds: { type: 'string' },
    seconds: { type: 'string' },
    // Write RESULTS-node<major>.md even for a subset of the variants (the report lists the ones run).
    record: { type: 'boolean', default: false },
  },
});
const quick = options.quick === true;
const ROUNDS = Number(options.rounds ?? (quick ? 1 : 3));
const SECONDS = Number(options.seconds ?? (quick ? 2 : 8));
const WARMUP_SECONDS = quick ? 1 : 2;
const ALL_VARIANTS = [
  'manual',
  'manual+als',
  'raw',
  'cls',
  'typeorm-transactional',
  'reqscope',
  'ours',
  'ours-inject-repository',
  'ours+required',
  'ours+nested',
  // Runs only under npm run bench:replicas (a standby of the bench's PostgreSQL server).
  'ours+replica',
  'ours+diagnostics-subscriber',
  'ours+otel',
  // Tenancy: the schema strategy runs on PostgreSQL and MariaDB, the database strategy everywhere.
  'ours+tenant-schema',
  'ours+tenant-database',
  'ping',
  'ping+module',
  // Two bind keys (the second a PostgreSQL database that can prepare transactions): only when it is given.
  ...(process.env.BENCH_TWOPHASE_PG_URL ? ['ours+2bind', 'ours+2bind+twophase'] : []),
];
// A partial run (a subset of variants or databases, without --record) skips memory and startup and never writes RESULTS-node*.md.
const partial = !options.record && (options.variants !== undefined || options.kinds !== undefined);
const VARIANTS = options.variants ? options.variants.split(',') : ALL_VARIANTS;
const unknownVariant = VARIANTS.find((variant) => !(variant in VARIANT_FACTORIES));
if (unknownVariant)
  throw new Error(`unknown variant "${unknownVariant}": one of ${Object.keys(VARIANT_FACTORIES).join(', ')}`);
const CHECKED_POSTS = 1000;

async function measureVariant(variant: string, connectionString: string, round: number): Promise<Measurement> {
  const server = await startServer(variant, connectionString);
  const probe = await openProbe(connectionString);
  try {
    // A row that exists, the same one every time: a real read, and the same statement for every peer.
    const hasItems = !variant.startsWith('ping');
    const requests = VARIANT_FACTORIES[variant]().requests?.(READ_ROW) ?? {
      write: { method: 'POST' as const, path: '/items' },
      read: { method: 'GET' as const, path: hasItems ? `/items/${READ_ROW}` : '/ping' },
    };
    const write = { ...requests.write, path: () => requests.write.path, port: server.port };
    const read = { ...requests.read, path: () => requests.read.path, port: server.port };
    await load({ ...read, seconds: WARMUP_SECONDS });
    let post: LoadResult | undefined;
    let rowsMatch: boolean | undefined;
    if (hasItems) {
      await load({ ...write, seconds: WARMUP_SECONDS });
      post = await measuredLoad(server, { ...write, seconds: SECONDS });
      // A timed run stops counting answers still in flight when time is up, so the correctness
      // check is a separate run of a fixed number of requests, every answer counted.
      const before = await settledCount(probe);
      const checked = await load({ ...write, amount: CHECKED_POSTS });
      const after = await probe.count('bench_items');
      rowsMatch = after - before === checked.ok;
    }
    const get = await measuredLoad(server, { ...read, seconds: SECONDS });
    return { variant, round, post, get, rowsMatch };
  } finally {
    await probe.close();
    await stopServer(server);
  }
}

/** The row count once the answers still in flight from a timed run have landed (two equal readings). */
async function settledCount(probe: DatabaseProbe): Promise<number> {
  let previous = await probe.count('bench_items');
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const current = await probe.count('bench_items');
    if (current === previous) return current;
    previous = current;
  }
}

async function measureMemory(connectionString: string): Promise<Extras['memory']> {
  const requests = quick ? 20_000 : 100_000;
  const server = await startServer('ours', connectionString);
  try {
    await load({ port: server.port, method: 'POST', path: () => '/items', amount: 2_000 });
    const before = await memoryOf(server);
    await load({ port: server.port, method: 'POST', path: () => '/items', amount: requests });
    const after = await memoryOf(server);
    return {
      requests,
      heapBefore: before.heapUsed,
      heapAfter: after.heapUsed,
      rssBefore: before.rss,
      rssAfter: after.rss,
    };
  } finally {
    await stopServer(server);
  }
}

function measureStartup(binds: number): number {
  const runs = [0, 1, 2].map(() => {
    const output = execFileSync(process.execPath, [join(__dirname, 'startup.js'), String(binds)], { encoding: 'utf8' });
    return (JSON.parse(output) as { milliseconds: number }).milliseconds;
  });
  return runs.sort((a, b) => a - b)[1];
}

async function main(): Promise<void> {
  await detectTestDatabases();
  const available = testDatabaseKinds();
  const kinds = options.kinds
    ? (options.kinds.split(',') as TestDatabaseKind[])
    : quick
      ? (['sqlite'] as TestDatabaseKind[])
      : available;
  const missing = kinds.find((kind) => !available.includes(kind));
  if (missing)
    throw new Error(`--kinds ${missing}: that database is not reachable (reachable: ${available.join(', ')})`);
  const measurements: Record<string, Measurement[]> = {};
  const extras: Extras = { startup: {} };
  for (const kind of kinds) {
    const database = await prepareDatabase(kind);
    try {
      measurements[kind] = [];
      for (let round = 1; round <= ROUNDS; round++) {
        for (const variant of VARIANTS) {
          if (VARIANT_FACTORIES[variant]().runsOn?.(kind) === false) continue;
          process.stdout.write(`[${kind}] round ${round}/${ROUNDS} ${variant} … `);
          const measurement = await measureVariant(variant, database.connectionString, round);
          measurements[kind].push(measurement);
          process.stdout.write(
            `POST ${measurement.post?.requestsPerSecond.toFixed(0) ?? '-'} req/s, GET ${measurement.get.requestsPerSecond.toFixed(0)} req/s\n`,
          );
        }
      }
      if (kind === 'sqlite' && !partial) extras.memory = await measureMemory(database.connectionString);
    } finally {
      await database.drop();
    }
  }
  if (!partial) extras.startup = { 1: measureStartup(1), 10: measureStartup(10) };
  const report = formatReport({
    measurements,
    extras,
    settings: { rounds: ROUNDS, seconds: SECONDS, connections: 32, quick },
    machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
  });
  process.stdout.write(`\n${report}\n`);
  const target = quick || partial ? join(__dirname, '..', '..', 'bench', '.out') : join(__dirname, '..', '..', 'bench');
  mkdirSync(target, { recursive: true });
  const full = `RESULTS-node${process.versions.node.split('.')[0]}.md`;
  writeFileSync(join(target, quick ? 'quick.md' : partial ? 'partial.md' : full), report);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
