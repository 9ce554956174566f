// `node dist/bench/count-instructions.js <variant> <connectionString> <warm-up pairs> <measured pairs> [instructions|bytes]`:
// one variant's server in this process, sent POST /items + GET /items/1 pairs one after another over one
// keep-alive connection. After the warm-up pairs it measures the next <measured pairs>, printing one JSON line:
// - `instructions` (run under `valgrind --tool=callgrind --instr-atstart=no`): this process asks callgrind to
//   instrument only the measured pairs (`callgrind_control -i on|off <pid>`, answered while this process waits
//   in a system call), so the output file's total divided by the pairs is the cost of one pair, startup left out;
// - `bytes` (run with a young generation large enough that no collection happens): the V8 heap's growth over
//   the measured pairs divided by the pairs, the bytes one pair allocates (the line says if a collection ran).
// `bench/instructions.ts` (npm run bench:instructions) drives it.
import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { Agent, request } from 'node:http';
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { VARIANTS } from './variants';

function send(port: number, agent: Agent, method: string, path: string, body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method, path, agent, headers: body ? { 'content-type': 'application/json' } : {} },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function instrument(on: boolean): void {
  const answer = spawnSync('callgrind_control', ['-i', on ? 'on' : 'off', String(process.pid)], { encoding: 'utf8' });
  if (answer.status !== 0) throw new Error(`callgrind_control failed: ${answer.stderr || answer.stdout}`);
}

async function main(): Promise<void> {
  const [variantName, connectionString, warmUp, measured, what = 'instructions'] = process.argv.slice(2);
  const app = await VARIANTS[variantName]().createApp(connectionString);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const pairs = async (count: number, from: number): Promise<void> => {
    for (let index = from; index < from + count; index++) {
      const created = await send(port, agent, 'POST', '/items', JSON.stringify({ name: `item ${index}` }));
      const read = await send(port, agent, 'GET', '/items/1');
      if (created !== 201 || read !== 200) throw new Error(`unexpected answers ${created} / ${read}`);
    }
  };
  await pairs(Number(warmUp), 0);
  let collections = 0;
  const observer = new PerformanceObserver((list) => (collections += list.getEntries().length));
  if (what === 'bytes') {
    (globalThis as { gc?: () => void }).gc?.();
    observer.observe({ entryTypes: ['gc'] });
  }
  const before = getHeapStatistics().used_heap_size;
  if (what === 'instructions') instrument(true);
  await pairs(Number(measured), Number(warmUp));
  if (what === 'instructions') instrument(false);
  const grown = getHeapStatistics().used_heap_size - before;
  observer.disconnect();
  if (what === 'bytes')
    process.stdout.write(`${JSON.stringify({ bytesPerPair: Math.round(grown / Number(measured)), collections })}\n`);
  agent.destroy();
  await app.close();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  },
);
