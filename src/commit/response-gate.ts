import type { ServerResponse } from 'node:http';
import type { ResponseOverride } from '../session/session-scope';

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
export function holdResponseUntilSessionsEnd(
  res: ServerResponse,
  beforeSend: BeforeSend,
  override: () => ResponseOverride | undefined = () => undefined,
): void {
  if (res.headersSent) {
    // Too late to hold anything back: end the sessions when the response is done.
    res.once('close', () => void beforeSend(res.writableFinished ? res.statusCode : 0));
    return;
  }
  const queued: Array<{ method: Method; args: unknown[] }> = [];
  const target = res as unknown as Record<Method, (...args: unknown[]) => unknown>;
  const original = {} as Record<Method, (...args: unknown[]) => unknown>;
  for (const method of GATED) original[method] = target[method];
  // Once released, the wrappers stay in place and pass straight through: deleting them again
  // would turn the response object into a slow dictionary-mode object on every request.
  let deciding = false;
  let released = false;

  const applyOverride = (): void => {
    const wanted = override();
    if (!wanted) return;
    res.statusCode = wanted.statusCode;
    for (const [name, value] of Object.entries(wanted.headers)) res.setHeader(name, value);
    for (const call of queued) {
      if (call.method !== 'writeHead') continue;
      // writeHead(status, [statusMessage], [headers]): headers given here win over setHeader.
      const headers = call.args.find((arg, index) => index > 0 && typeof arg === 'object' && arg !== null);
      call.args = headers ? [wanted.statusCode, { ...headers, ...wanted.headers }] : [wanted.statusCode];
    }
  };
  const decide = (status: number): void => {
    if (deciding) return;
    deciding = true;
    res.removeListener('close', onClose);
    if (status !== 0) {
      applyOverride();
      status = res.statusCode;
    }
    void beforeSend(status).then(
      (send) => release(send),
      () => release(false),
    );
  };
  const release = (send: boolean): void => {
    released = true;
    if (send || res.headersSent) {
      for (const { method, args } of queued) original[method].apply(res, args);
      return;
    }
    for (const name of res.getHeaderNames()) res.removeHeader(name);
    res.statusCode = 500;
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.setHeader('content-length', Buffer.byteLength(COMMIT_FAILED_BODY));
    const endCall = queued.find((call) => call.method === 'end');
    const callback = endCall?.args.find((arg) => typeof arg === 'function');
    original.end.call(res, COMMIT_FAILED_BODY, callback);
  };
  // The client went away before any byte was written: nothing will be acknowledged, so roll back.
  const onClose = (): void => decide(0);

  target.writeHead = (...args: unknown[]) => {
    if (released) return original.writeHead.apply(res, args);
    if (typeof args[0] === 'number') res.statusCode = args[0];
    queued.push({ method: 'writeHead', args });
    return res;
  };
  target.write = (...args: unknown[]) => {
    if (released) return original.write.apply(res, args);
    queued.push({ method: 'write', args });
    decide(res.statusCode);
    return true;
  };
  target.end = (...args: unknown[]) => {
    if (released) return original.end.apply(res, args);
    queued.push({ method: 'end', args });
    decide(res.statusCode);
    return res;
  };
  target.flushHeaders = (...args: unknown[]) => {
    if (released) return original.flushHeaders.apply(res, args);
    queued.push({ method: 'flushHeaders', args });
    decide(res.statusCode);
  };
  res.once('close', onClose);
}
