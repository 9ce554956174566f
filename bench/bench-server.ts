// A bench server process: one variant, started with fork(), asked over IPC for its CPU time and
// memory, stopped through Nest's shutdown.
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { load, type LoadResult } from './load';

const SERVER = join(__dirname, 'server.js');

export interface Server {
  child: ChildProcess;
  port: number;
}

/** Starts a variant's server; `execArgv` adds Node flags (e.g. `--cpu-prof`), `env` variables (e.g. `BENCH_HOLD_TIMES`). */
export function startServer(
  variant: string,
  connectionString: string,
  extra: { execArgv?: string[]; env?: Record<string, string> } = {},
): Promise<Server> {
  const child = fork(SERVER, [variant, connectionString], {
    execArgv: ['--expose-gc', ...(extra.execArgv ?? [])],
    env: { ...process.env, ...extra.env },
    stdio: 'inherit',
  });
  return new Promise((resolve, reject) => {
    child.once('message', (message: { port: number }) => resolve({ child, port: message.port }));
    child.once('exit', (code) => reject(new Error(`bench server ${variant} exited with ${code}`)));
  });
}

export function stopServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.child.kill('SIGKILL'), 10_000);
    server.child.removeAllListeners('exit');
    server.child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    server.child.send({ command: 'stop' });
  });
}

/** The server process's CPU time so far (user + system), in microseconds. */
export function cpuOf(server: Server): Promise<number> {
  return new Promise((resolve) => {
    server.child.once('message', (message: { cpu: NodeJS.CpuUsage }) => resolve(message.cpu.user + message.cpu.system));
    server.child.send({ command: 'cpu' });
  });
}

/** A timed run, with the server's CPU time per answered request (what limits req/s once the cores are busy). */
export async function measuredLoad(server: Server, options: Parameters<typeof load>[0]): Promise<LoadResult> {
  const before = await cpuOf(server);
  const result = await load(options);
  const after = await cpuOf(server);
  return { ...result, cpuMicrosPerRequest: (after - before) / Math.max(1, result.ok + result.failed) };
}

export /** The connection hold times the server saw since it was last asked (started with `BENCH_HOLD_TIMES=1`). */
function holdTimesOf(server: Server): Promise<{ count: number; medianMicros: number; p90Micros: number }> {
  return new Promise((resolve) => {
    const listener = (message: { holdTimes?: { count: number; medianMicros: number; p90Micros: number } }) => {
      if (!message.holdTimes) return;
      server.child.off('message', listener);
      resolve(message.holdTimes);
    };
    server.child.on('message', listener);
    server.child.send({ command: 'hold-times' });
  });
}

export function memoryOf(server: Server): Promise<NodeJS.MemoryUsage> {
  return new Promise((resolve) => {
    server.child.once('message', (message: { memory: NodeJS.MemoryUsage }) => resolve(message.memory));
    server.child.send({ command: 'memory' });
  });
}
