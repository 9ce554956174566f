import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadResult } from './load';

export interface Measurement {
  variant: string;
  round: number;
  post?: LoadResult;
  get: LoadResult;
  /** Rows added during the POST run equal its 2xx answers. */
  rowsMatch?: boolean;
}

export interface Extras {
  memory?: { requests: number; heapBefore: number; heapAfter: number; rssBefore: number; rssAfter: number };
  startup: Record<number, number>;
}

/** How each variant is set up: every peer the way its own documentation recommends for current Node. */
const PEER_SETTINGS = [
  'Variants:',
  '',
  '- `manual`: a hand-written `dataSource.transaction()` per request, the baseline.',
  "- `manual+als`: `manual`, each request also run in an `AsyncLocalStorage` store of its own (a middleware doing only that): what Node's async context costs by itself, paid by every module that finds the request's transaction without passing it (ours, cls, typeorm-transactional).",
  '- `raw`: `dataSource.getRepository()` with no transaction (TypeORM autocommit), a lower bound on the work.',
  "- `cls`: `@nestjs-cls/transactional` with `@nestjs-cls/transactional-adapter-typeorm`, `ClsModule.forRoot({ middleware: { mount: true }, plugins: [new ClsPluginTransactional(...)] })` as its README sets it up, `@Transactional()` on the service's methods.",
  "- `typeorm-transactional`: `initializeTransactionalContext({ storageDriver: StorageDriver.AUTO })` (AsyncLocalStorage on Node ≥ 16, which its README recommends; its default `CLS_HOOKED` is kept only for backward compatibility), `addTransactionalDataSource`, `@Transactional()` on the service's methods.",
  '- `reqscope`: a `Scope.REQUEST` provider holding a QueryRunner, its transaction committed by an interceptor: the naive Nest way.',
  '- `ours`: `AdvancedAlchemyModule` in `autocommit`, `session.getRepository()` through `@InjectSession()` in a singleton service.',
  '- `ours+2bind`, `ours+2bind+twophase`: `ours` writing each item to two bind keys (the second the PostgreSQL database of `BENCH_TWOPHASE_PG_URL`), without and with `sessionConfig.twophase`.',
  '- `ours-inject-repository`: the same work through `@InjectRepository(Item)` of `AdvancedAlchemyModule.forFeature`.',
  '- `ours+required`, `ours+nested`: `ours` with each call in a `@Transactional()` REQUIRED unit, or a NESTED one (a savepoint).',
  '- `ours+replica`: `ours` with one read replica (a streaming standby, `npm run bench:replicas` only): GETs read from the standby, POSTs write to the primary.',
  '- `ours+diagnostics-subscriber`: `ours` with a counting listener on every `ALCHEMY_CHANNELS` channel (the cost of the events).',
  '- `ours+otel`: `ours` with the OpenTelemetry bridge on the real SDKs (AsyncLocalStorage context, spans to an exporter that drops them, metrics aggregated).',
  "- `ours+tenant-schema`, `ours+tenant-database`: `ours` with tenancy (docs/tenancy.md): each request's tenant resolved from its query string by the module's middleware, the session in the tenant's schema (`SET LOCAL search_path` with the BEGIN on PostgreSQL, `USE` on taking and giving back the connection on MariaDB) or in the tenant's own DataSource, held for the request; the tenant's schema or database is the bench's own.",
  '- `ping`, `ping+module`: a route that touches no database, without and with the module imported.',
];

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

function version(name: string): string {
  try {
    const root = join(__dirname, '..', '..', 'node_modules', name, 'package.json');
    return (JSON.parse(readFileSync(root, 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

/** Median ratio of a variant to a reference, computed round by round. */
function ratio(rows: Measurement[], variant: string, reference: string, pick: (m: Measurement) => number | undefined) {
  const ratios: number[] = [];
  for (const row of rows.filter((m) => m.variant === variant)) {
    const base = rows.find((m) => m.variant === reference && m.round === row.round);
    const value = pick(row);
    const baseValue = base ? pick(base) : undefined;
    if (value !== undefined && baseValue) ratios.push(value / baseValue);
  }
  return ratios.length ? median(ratios) : undefined;
}

const fixed = (value: number | undefined, digits = 0) => (value === undefined ? '–' : value.toFixed(digits));

/** Median server CPU time per request over the rounds. */
const cpu = (runs: LoadResult[]): string => {
  const values = runs.flatMap((run) => (run.cpuMicrosPerRequest === undefined ? [] : [run.cpuMicrosPerRequest]));
  return values.length ? fixed(median(values)) : '–';
};

export function formatReport(input: {
  measurements: Record<string, Measurement[]>;
  extras: Extras;
  settings: { rounds: number; seconds: number; connections: number; quick: boolean };
  machine: string;
}): string {
  const { measurements, extras, settings, machine } = input;
  const lines: string[] = [
    '# Benchmark results',
    '',
    `Date: ${new Date().toISOString()}  `,
    `Machine: ${machine}  `,
    `Versions: @nestjs/core ${version('@nestjs/core')}, typeorm ${version('typeorm')}, pg ${version('pg')}, mysql2 ${version('mysql2')}, better-sqlite3 ${version('better-sqlite3')}, nestjs-cls ${version('nestjs-cls')}, @nestjs-cls/transactional ${version('@nestjs-cls/transactional')}, typeorm-transactional ${version('typeorm-transactional')}, autocannon ${version('autocannon')}  `,
    `Settings: ${settings.rounds} round(s), ${settings.seconds} s per run after a warm-up of both POST and GET, autocannon -c ${settings.connections}, pool size 10, variants interleaved per round, each in its own server process; ratios are medians of per-round ratios to \`manual\`.${settings.quick ? ' (quick mode)' : ''}`,
    '',
    'Workload: `POST /items` with a JSON body `{"name":"bench item"}` inserts a row; `GET /items/500` reads a row that exists. Rows are counted against the 2xx answers of a separate fixed-size POST run, after the answers in flight have landed.',
    '',
    ...PEER_SETTINGS,
    '',
  ];
  for (const [kind, rows] of Object.entries(measurements)) {
    lines.push(
      `## ${kind}`,
      '',
      '| variant | POST req/s | POST p99 ms | POST ÷ manual | GET req/s | GET p99 ms | GET ÷ manual | rows = 2xx | CPU µs / POST | CPU µs / GET |',
      '|---|---:|---:|---:|---:|---:|---:|---|---:|---:|',
    );
    const variants = [...new Set(rows.map((m) => m.variant))];
    for (const variant of variants) {
      const mine = rows.filter((m) => m.variant === variant);
      const posts = mine.flatMap((m) => (m.post ? [m.post] : []));
      const checks = mine.map((m) => m.rowsMatch).filter((v) => v !== undefined);
      lines.push(
        `| ${variant} | ${posts.length ? fixed(median(posts.map((p) => p.requestsPerSecond))) : '–'} | ${posts.length ? fixed(median(posts.map((p) => p.p99))) : '–'} | ${fixed(
          ratio(rows, variant, 'manual', (m) => m.post?.requestsPerSecond),
          2,
        )} | ${fixed(median(mine.map((m) => m.get.requestsPerSecond)))} | ${fixed(median(mine.map((m) => m.get.p99)))} | ${
          variant.startsWith('ping')
            ? '–'
            : fixed(
                ratio(rows, variant, 'manual', (m) => m.get.requestsPerSecond),
                2,
              )
        } | ${checks.length ? (checks.every(Boolean) ? 'yes' : 'NO') : '–'} | ${cpu(posts)} | ${cpu(mine.map((m) => m.get))} |`,
      );
    }
    const pingRatio = ratio(rows, 'ping+module', 'ping', (m) => m.get.requestsPerSecond);
    const oursVsCls = ratio(rows, 'ours', 'cls', (m) => m.post?.requestsPerSecond);
    const oursVsTt = ratio(rows, 'ours', 'typeorm-transactional', (m) => m.post?.requestsPerSecond);
    lines.push(
      '',
      `- ping with the module ÷ without: ${fixed(pingRatio, 3)}`,
      `- ours+required ÷ ours (POST, a @Transactional() REQUIRED unit per call): ${fixed(
        ratio(rows, 'ours+required', 'ours', (m) => m.post?.requestsPerSecond),
        3,
      )}; ours+nested ÷ ours (POST, one SAVEPOINT round trip per call): ${fixed(
        ratio(rows, 'ours+nested', 'ours', (m) => m.post?.requestsPerSecond),
        3,
      )}`,
      `- ours+2bind+twophase ÷ ours+2bind (POST, two-phase commit across two bind keys): ${fixed(
        ratio(rows, 'ours+2bind+twophase', 'ours+2bind', (m) => m.post?.requestsPerSecond),
        3,
      )}`,
      `- ours+diagnostics-subscriber ÷ ours (POST): ${fixed(
        ratio(rows, 'ours+diagnostics-subscriber', 'ours', (m) => m.post?.requestsPerSecond),
        3,
      )}; ours+otel ÷ ours (POST): ${fixed(
        ratio(rows, 'ours+otel', 'ours', (m) => m.post?.requestsPerSecond),
        3,
      )}; (GET): ${fixed(
        ratio(rows, 'ours+otel', 'ours', (m) => m.get.requestsPerSecond),
        3,
      )}`,
      `- ours ÷ cls (POST): ${fixed(oursVsCls, 2)}; ours ÷ typeorm-transactional (POST): ${fixed(oursVsTt, 2)}`,
      `- ours ÷ cls (GET): ${fixed(
        ratio(rows, 'ours', 'cls', (m) => m.get.requestsPerSecond),
        2,
      )}; ours ÷ typeorm-transactional (GET): ${fixed(
        ratio(rows, 'ours', 'typeorm-transactional', (m) => m.get.requestsPerSecond),
        2,
      )}`,
      `- ours+replica ÷ ours (GET, reads from a streaming standby on the same machine): ${fixed(
        ratio(rows, 'ours+replica', 'ours', (m) => m.get.requestsPerSecond),
        3,
      )}; (POST, writes to the primary): ${fixed(
        ratio(rows, 'ours+replica', 'ours', (m) => m.post?.requestsPerSecond),
        3,
      )}`,
      `- ours+tenant-schema ÷ ours (POST): ${fixed(
        ratio(rows, 'ours+tenant-schema', 'ours', (m) => m.post?.requestsPerSecond),
        3,
      )}; (GET): ${fixed(
        ratio(rows, 'ours+tenant-schema', 'ours', (m) => m.get.requestsPerSecond),
        3,
      )}; ours+tenant-database ÷ ours (POST): ${fixed(
        ratio(rows, 'ours+tenant-database', 'ours', (m) => m.post?.requestsPerSecond),
        3,
      )}; (GET): ${fixed(
        ratio(rows, 'ours+tenant-database', 'ours', (m) => m.get.requestsPerSecond),
        3,
      )}`,
      `- ours-inject-repository ÷ ours (POST): ${fixed(
        ratio(rows, 'ours-inject-repository', 'ours', (m) => m.post?.requestsPerSecond),
        3,
      )}; (GET): ${fixed(
        ratio(rows, 'ours-inject-repository', 'ours', (m) => m.get.requestsPerSecond),
        3,
      )}`,
      '',
    );
  }
  if (extras.memory) {
    const m = extras.memory;
    const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
    lines.push(
      '## Memory (`ours`, SQLite, POST)',
      '',
      `After ${m.requests} requests (GC forced before each reading): heap ${mb(m.heapBefore)} → ${mb(m.heapAfter)} MB (growth ${mb(m.heapAfter - m.heapBefore)} MB), RSS ${mb(m.rssBefore)} → ${mb(m.rssAfter)} MB.`,
      '',
    );
  }
  if (Object.keys(extras.startup).length > 0) {
    lines.push('## Startup (SQLite files, median of 3 fresh processes)', '');
    for (const [binds, ms] of Object.entries(extras.startup)) lines.push(`- ${binds} bind key(s): ${ms.toFixed(0)} ms`);
    lines.push('');
  }
  return lines.join('\n');
}
