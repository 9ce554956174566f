import autocannon from 'autocannon';

export interface LoadResult {
  requestsPerSecond: number;
  p99: number;
  ok: number;
  failed: number;
  /** The server's CPU time per answered request, when measured (run.ts). */
  cpuMicrosPerRequest?: number;
}

/** Runs autocannon against a loopback server: 32 connections unless told, bounded duration or request count. */
export async function load(options: {
  port: number;
  method: 'GET' | 'POST';
  path: (n: number) => string;
  seconds?: number;
  amount?: number;
  /** Concurrent connections (default 32). */
  connections?: number;
  /** A POST's JSON body (default: a new item's). */
  body?: string;
}): Promise<LoadResult> {
  let n = 0;
  const result = await autocannon({
    url: `http://127.0.0.1:${options.port}`,
    connections: options.connections ?? 32,
    ...(options.amount ? { amount: options.amount } : { duration: options.seconds }),
    requests: [
      {
        method: options.method,
        setupRequest: (request) => ({ ...request, path: options.path(n++) }),
        ...(options.method === 'POST'
          ? {
              headers: { 'content-type': 'application/json' },
              body: options.body ?? JSON.stringify({ name: 'bench item' }),
            }
          : {}),
      },
    ],
  });
  return {
    requestsPerSecond: result.requests.average,
    p99: result.latency.p99,
    ok: result['2xx'],
    failed: result.non2xx + result.errors + result.timeouts,
  };
}
