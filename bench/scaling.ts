// `npm run bench:scaling`: how the cost grows, as ratios of `ours` to `manual` in the same run —
// with the number of concurrent clients (-c 1, 8, 32, 128; pool 10), with the number of bind keys
// a request touches (1, 2, 5), and the memory of 10,000 requests held in flight.
import { request } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { detectTestDatabases, testDatabaseKinds, type TestDatabaseKind } from 'nestjs-advanced-alchemy/testing';
import { measuredLoad, memoryOf, startServer, stopServer, type Server } from './bench-server';
import { load, type LoadResult } from './load';
import { prepareDatabase, READ_ROW } from './prepare-database';

const { values: options } = parseArgs({
  options: {
    kinds: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '5' },
    'in-flight': { type: 'string', default: '10000' },
  },
});
const ROUNDS = Number(options.rounds);
const SECONDS = Number(options.seconds);
const IN_FLIGHT = Number(options['in-flight']);
const CONNECTIONS = [1, 8, 32, 128];
const BIND_COUNTS = [1, 2, 5];

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

interface Run {
  post: LoadResult;
  get: LoadResult;
}

async function runBoth(server: Server, connections: number): Promise<Run> {
  const base = { port: server.port, connections, seconds: SECONDS };
  await load({ ...base, method: 'GET', path: () => `/items/${READ_ROW}`, seconds: 1 });
  await load({ ...base, method: 'POST', path: () => '/items', seconds: 1 });
  const post = await measuredLoad(server, { ...base, method: 'POST', path: () => '/items' });
  const get = await measuredLoad(server, { ...base, method: 'GET', path: () => `/items/${READ_ROW}` });
  return { post, get };
}

/** Per-round ratios of ours to manual, then their median; and the medians of each side. */
function summarise(rounds: Array<{ manual: Run; ours: Run }>, pick: (run: Run) => LoadResult) {
  return {
    manual: median(rounds.map((round) => pick(round.manual).requestsPerSecond)),
    ours: median(rounds.map((round) => pick(round.ours).requestsPerSecond)),
    ratio: median(rounds.map((round) => pick(round.ours).requestsPerSecond / pick(round.manual).requestsPerSecond)),
    manualP99: median(rounds.map((round) => pick(round.manual).p99)),
    oursP99: median(rounds.map((round) => pick(round.ours).p99)),
  };
}

function tableRow(label: string, rounds: Array<{ manual: Run; ours: Run }>): string {
  const cells = [(run: Run) => run.post, (run: Run) => run.get].map((pick) => {
    const s = summarise(rounds, pick);
    return `${s.manual.toFixed(0)} | ${s.ours.toFixed(0)} | **${s.ratio.toFixed(2)}** | ${s.manualP99.toFixed(0)} / ${s.oursP99.toFixed(0)}`;
  });
  return `| ${label} | ${cells.join(' | ')} |`;
}

const TABLE_HEAD = [
  '| | manual POST req/s | ours POST req/s | POST ours ÷ manual | POST p99 ms manual / ours | manual GET req/s | ours GET req/s | GET ours ÷ manual | GET p99 ms manual / ours |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
];

async function byConnections(connectionString: string): Promise<string[]> {
  const lines = ['### Concurrent clients (pool 10)', '', ...TABLE_HEAD];
  for (const connections of CONNECTIONS) {
    const rounds: Array<{ manual: Run; ours: Run }> = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const result = {} as { manual: Run; ours: Run };
      for (const variant of ['manual', 'ours'] as const) {
        const server = await startServer(variant, connectionString);
        try {
          result[variant] = await runBoth(server, connections);
        } finally {
          await stopServer(server);
        }
      }
      rounds.push(result);
    }
    process.stdout.write(`  -c ${connections} done\n`);
    lines.push(tableRow(`-c ${connections}`, rounds));
  }
  return lines;
}

async function byBindKeys(kind: TestDatabaseKind): Promise<string[]> {
  const lines = ['### Bind keys touched per request (-c 32, pool 10 each)', '', ...TABLE_HEAD];
  const most = Math.max(...BIND_COUNTS);
  const databases = await Promise.all(Array.from({ length: most }, () => prepareDatabase(kind)));
  try {
    for (const count of BIND_COUNTS) {
      const joined = databases
        .slice(0, count)
        .map((database) => database.connectionString)
        .join('|');
      const rounds: Array<{ manual: Run; ours: Run }> = [];
      for (let round = 1; round <= ROUNDS; round++) {
        const result = {} as { manual: Run; ours: Run };
        for (const variant of ['manual', 'ours'] as const) {
          const server = await startServer(`${variant}-binds`, joined);
          try {
            result[variant] = await runBoth(server, 32);
          } finally {
            await stopServer(server);
          }
        }
        rounds.push(result);
      }
      process.stdout.write(`  ${count} bind key(s) done\n`);
      lines.push(tableRow(`${count} bind key(s)`, rounds));
    }
  } finally {
    await Promise.all(databases.map((database) => database.drop()));
  }
  return lines;
}

function askInFlight(server: Server): Promise<number> {
  return new Promise((resolve) => {
    const listener = (message: { inFlight?: number }) => {
      if (message.inFlight === undefined) return;
      server.child.off('message', listener);
      resolve(message.inFlight);
    };
    server.child.on('message', listener);
    server.child.send({ command: 'in-flight' });
  });
}

/** Heap and RSS growth while IN_FLIGHT requests wait in their handlers, per request held. */
async function heldInFlight(variant: string, connectionString: string) {
  const server = await startServer(variant, connectionString);
  try {
    const idle = await memoryOf(server);
    let ok = 0;
    const answers = Array.from(
      { length: IN_FLIGHT },
      () =>
        new Promise<void>((resolve) => {
          const call = request(
            { host: '127.0.0.1', port: server.port, path: `/slow/${READ_ROW}`, agent: false },
            (res) => {
              if (res.statusCode === 200) ok++;
              res.resume();
              res.on('end', resolve);
            },
          );
          call.on('error', () => resolve());
          call.end();
        }),
    );
    while ((await askInFlight(server)) < IN_FLIGHT) await new Promise((resolve) => setTimeout(resolve, 200));
    const held = await memoryOf(server);
    server.child.send({ command: 'release' });
    await Promise.all(answers);
    return {
      heapPerRequest: (held.heapUsed - idle.heapUsed) / IN_FLIGHT,
      rssPerRequest: (held.rss - idle.rss) / IN_FLIGHT,
      ok,
    };
  } finally {
    await stopServer(server);
  }
}

async function inFlightMemory(connectionString: string): Promise<string[]> {
  const lines = [
    `### ${IN_FLIGHT} requests in flight (each waits in its handler, then reads its row)`,
    '',
    '| variant | heap per request held | RSS per request held | 200 answers |',
    '|---|---:|---:|---:|',
  ];
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(2)} KiB`;
  for (const variant of ['manual-slow', 'ours-slow']) {
    const result = await heldInFlight(variant, connectionString);
    lines.push(`| ${variant} | ${kb(result.heapPerRequest)} | ${kb(result.rssPerRequest)} | ${result.ok} |`);
  }
  return lines;
}

async function main(): Promise<void> {
  await detectTestDatabases();
  const kinds = options.kinds ? (options.kinds.split(',') as TestDatabaseKind[]) : testDatabaseKinds();
  const lines = [
    '# Scaling',
    '',
    `Date: ${new Date().toISOString()}  `,
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}  `,
    `Settings: ${ROUNDS} round(s) × ${SECONDS} s per run after a 1 s warm-up of each; manual and ours alternate within every round; ratios are medians of per-round ratios.`,
    '',
  ];
  for (const kind of kinds) {
    process.stdout.write(`[${kind}]\n`);
    lines.push(`## ${kind}`, '');
    const database = await prepareDatabase(kind);
    try {
      lines.push(...(await byConnections(database.connectionString)), '');
      // SQLite has one connection, which TypeORM's own transactions share unsafely: only servers.
      if (kind !== 'sqlite') lines.push(...(await inFlightMemory(database.connectionString)), '');
    } finally {
      await database.drop();
    }
    lines.push(...(await byBindKeys(kind)), '');
  }
  const report = lines.join('\n');
  process.stdout.write(`\n${report}\n`);
  const target = join(__dirname, '..', '..', 'bench');
  mkdirSync(target, { recursive: true });
  writeFileSync(join(target, `SCALING-node${process.versions.node.split('.')[0]}.md`), report);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
