// `npm run bench:statements`: the statements each variant sends per request, read from the
// database's own log (PostgreSQL `log_statement = all` for the bench database only; MariaDB's
// general log, switched on for the run), for a fixed number of sequential POSTs and GETs.
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  detectTestDatabases,
  openProbe,
  type DatabaseProbe,
  type TestDatabaseKind,
} from 'nestjs-advanced-alchemy/testing';
import { load } from './load';
import { holdTimesOf, startServer, stopServer } from './bench-server';
import { prepareDatabase, READ_ROW } from './prepare-database';

const { values: options } = parseArgs({
  options: {
    variants: { type: 'string', default: 'manual,ours' },
    kinds: { type: 'string', default: 'postgres,mariadb' },
    requests: { type: 'string', default: '200' },
    'pg-log': { type: 'string' },
  },
});
const REQUESTS = Number(options.requests);

/** The cluster's server log (Debian's pg_ctlcluster sends stderr there). */
function postgresLogFile(): string {
  if (options['pg-log']) return options['pg-log'];
  const directory = '/var/log/postgresql';
  const file = readdirSync(directory).find((name) => name.endsWith('.log'));
  if (!file) throw new Error(`no PostgreSQL log in ${directory}: pass --pg-log <file>`);
  return join(directory, file);
}

function readFrom(file: string, offset: number): string {
  const size = statSync(file).size;
  const buffer = Buffer.alloc(size - offset);
  const fd = openSync(file, 'r');
  readSync(fd, buffer, 0, buffer.length, offset);
  closeSync(fd);
  return buffer.toString('utf8');
}

/** One shape per statement: literals and parameter numbers out, so equal statements group. */
function shapeOf(sql: string): string {
  return sql
    .replace(/\s+/g, ' ')
    .replace(/'[^']*'/g, "'…'")
    .replace(/\b\d+\b/g, 'N')
    .trim()
    .slice(0, 90);
}

interface StatementLog {
  /** Before a server starts. */
  reset(): Promise<void>;
  start(): Promise<void>;
  /** The statements logged since start(), oldest first. */
  stop(): Promise<string[]>;
}

function postgresLog(database: string): StatementLog {
  const file = postgresLogFile();
  let offset = 0;
  return {
    async reset() {},
    async start() {
      offset = statSync(file).size;
    },
    async stop() {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const marker = `@${database} LOG:  `;
      return readFrom(file, offset)
        .split('\n')
        .filter((line) => line.includes(marker))
        .map((line) => line.slice(line.indexOf(marker) + marker.length))
        .filter((entry) => entry.startsWith('statement: ') || entry.startsWith('execute '))
        .map((entry) => entry.replace(/^statement: |^execute [^:]*: /, ''));
    },
  };
}

/** MariaDB logs a connection's database only at its Connect: the log is emptied once per server start. */
function mariadbLog(admin: DatabaseProbe, database: string): StatementLog {
  let seen = 0;
  return {
    async reset() {
      seen = 0;
      await admin.query('SET GLOBAL general_log = 0');
      await admin.query("SET GLOBAL log_output = 'TABLE'");
      await admin.query('TRUNCATE mysql.general_log');
    },
    async start() {
      await admin.query('SET GLOBAL general_log = 1');
    },
    async stop() {
      await admin.query('SET GLOBAL general_log = 0');
      const rows = await admin.query<{ argument: string | Buffer }>(
        `SELECT CONVERT(argument USING utf8mb4) AS argument FROM mysql.general_log
          WHERE command_type IN ('Query', 'Execute')
            AND thread_id IN (SELECT thread_id FROM mysql.general_log WHERE command_type = 'Connect' AND argument LIKE ?)
          ORDER BY event_time`,
        [`%${database}%`],
      );
      const fresh = rows.slice(seen).map((row) => String(row.argument));
      seen = rows.length;
      return fresh;
    },
  };
}

async function statementsOf(variant: string, connectionString: string, log: StatementLog) {
  await log.reset();
  await log.start();
  const server = await startServer(variant, connectionString, { env: { BENCH_HOLD_TIMES: '1' } });
  const port = server.port;
  const startup = (await log.stop()).length;
  const counts: Record<string, { total: number; shapes: Map<string, number> }> = {};
  const holds: Record<string, string> = {};
  const pathOf = (method: 'POST' | 'GET') => (method === 'POST' ? () => '/items' : () => `/items/${READ_ROW}`);
  await holdTimesOf(server); // startup's checkouts are not a request's
  const alone: Record<string, Awaited<ReturnType<typeof holdTimesOf>>> = {};
  for (const method of ['POST', 'GET'] as const) {
    await log.start();
    await load({ port, method, path: pathOf(method), amount: REQUESTS, connections: 1 });
    const statements = await log.stop();
    alone[method] = await holdTimesOf(server);
    const shapes = new Map<string, number>();
    for (const statement of statements) shapes.set(shapeOf(statement), (shapes.get(shapeOf(statement)) ?? 0) + 1);
    counts[method] = { total: statements.length, shapes };
  }
  // The same requests 32 at a time on a pool of 10: how long a connection is held once the cores are busy.
  for (const method of ['POST', 'GET'] as const) {
    await load({ port, method, path: pathOf(method), seconds: 3, connections: 32 });
    const loaded = await holdTimesOf(server);
    const one = alone[method];
    holds[method] =
      `connection held ${one.medianMicros.toFixed(0)} µs (median; p90 ${one.p90Micros.toFixed(0)}) one request at a time, ` +
      `${loaded.medianMicros.toFixed(0)} µs (p90 ${loaded.p90Micros.toFixed(0)}) at -c 32; ${(one.count / REQUESTS).toFixed(2)} checkouts per request`;
  }
  await stopServer(server);
  return { startup, counts, holds };
}

async function main(): Promise<void> {
  await detectTestDatabases();
  for (const kind of (options.kinds as string).split(',') as TestDatabaseKind[]) {
    const database = await prepareDatabase(kind);
    const url = new URL(database.connectionString);
    const name = url.pathname.slice(1);
    const admin = await openProbe(database.connectionString);
    try {
      if (kind === 'postgres') await admin.query(`ALTER DATABASE "${name}" SET log_statement = 'all'`);
      const log = kind === 'postgres' ? postgresLog(name) : mariadbLog(admin, name);
      for (const variant of (options.variants as string).split(',')) {
        const { startup, counts, holds } = await statementsOf(variant, database.connectionString, log);
        process.stdout.write(`\n### ${variant} on ${kind} (${startup} statements at startup)\n\n`);
        for (const [method, { total, shapes }] of Object.entries(counts)) {
          process.stdout.write(
            `- ${method}: ${(total / REQUESTS).toFixed(2)} statements per request; ${holds[method]}\n`,
          );
          for (const [shape, n] of [...shapes].sort((a, b) => b[1] - a[1])) {
            process.stdout.write(`  - ${(n / REQUESTS).toFixed(2)} × \`${shape}\`\n`);
          }
        }
      }
    } finally {
      await admin.close();
      await database.drop();
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
