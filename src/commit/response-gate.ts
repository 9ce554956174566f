import type { ServerResponse } from 'node:http';

type Method = 'writeHead' | 'write' | 'end' | 'flushHeaders';
const GATED: readonly Method[] = ['writeHead', 'write', 'end', 'flushHeaders'];

/**
 * Decides what happens to a response that is about to leave: `true` sends it as it is; `false`
 * replaces it with a 500 (the commit failed, so the 2xx would be a lie).
 */
export type BeforeSend = (status: number) => Promise<boolean>;

export const COMMIT_FAILED_BODY = JSON.stringify({
  statusCode: 500,
  error: 'Internal Server Error',
  message:
    'The changes could not be saved: the database refused to commit them. Nothing was stored; retry the request.',
});

/**
 * Holds a response's first byte until the request's sessions are ended, whatever produced the
 * response (a handler's return value, a redirect, an exception filter, `@Res()`, a stream or SSE),
 * on Express and Fastify alike: both end in Node's `writeHead`/`write`/`end`. The status decided
 * on is the one the client is about to receive, and the client sees it only after the commit.
 */
export function holdResponseUntilSessionsEnd(res: ServerResponse, beforeSend: BeforeSend): void {
  if (res.headersSent) {
    // Too late to hold anything back: end the sessions when the response is done.
    res.once('close', () => void beforeSend(res.writableFinished ? res.statusCode : 0));
    return;
  }
  const queued: Array<{ method: Method; args: unknown[] }> = [];
  const saved = GATED.map((method) => ({ method, own: Object.getOwnPropertyDescriptor(res, method) }));
  const target = res as unknown as Record<Method, (...args: unknown[]) => unknown>;
  let deciding = false;

  const restore = (): void => {
    for (const { method, own } of saved) {
      if (own) Object.defineProperty(res, method, own);
      else delete target[method];
    }
  };
  const decide = (status: number): void => {
    if (deciding) return;
    deciding = true;
    res.removeListener('close', onClose);
    void beforeSend(status).then(
      (send) => release(send),
      () => release(false),
    );
  };
  const release = (send: boolean): void => {
    restore();
    if (send || res.headersSent) {
      for (const { method, args } of queued) target[method](...args);
      return;
    }
    for (const name of res.getHeaderNames()) res.removeHeader(name);
    res.statusCode = 500;
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.setHeader('content-length', Buffer.byteLength(COMMIT_FAILED_BODY));
    const endCall = queued.find((call) => call.method === 'end');
    const callback = endCall?.args.find((arg) => typeof arg === 'function');
    res.end(COMMIT_FAILED_BODY, callback as (() => void) | undefined);
  };
  // The client went away before any byte was written: nothing will be acknowledged, so roll back.
  const onClose = (): void => decide(0);

  target.writeHead = (...args: unknown[]) => {
    if (typeof args[0] === 'number') res.statusCode = args[0];
    queued.push({ method: 'writeHead', args });
    return res;
  };
  target.write = (...args: unknown[]) => {
    queued.push({ method: 'write', args });
    decide(res.statusCode);
    return true;
  };
  target.end = (...args: unknown[]) => {
    queued.push({ method: 'end', args });
    decide(res.statusCode);
    return res;
  };
  target.flushHeaders = (...args: unknown[]) => {
    queued.push({ method: 'flushHeaders', args });
    decide(res.statusCode);
  };
  res.once('close', onClose);
}
