import type { CommitFailure } from '../errors/commit-outcome';
import type { ServerResponse } from 'node:http';
import type { ResponseOverride } from '../session/session-scope';
import { holdMethods, releaseMethods, type GatedMethod as Method, type GateHandlers } from './gated-methods';

/** An error answer that replaces a response whose commit failed (the 2xx would be a lie). */
export interface ReplacementResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** Decides what happens to a response that is about to leave: `undefined` sends it as it is. */
export type BeforeSend = (status: number) => Promise<ReplacementResponse | undefined>;

export const COMMIT_FAILED_BODY = JSON.stringify({
  statusCode: 500,
  error: 'Internal Server Error',
  message:
    'The changes could not be saved: the database refused to commit them. Nothing was stored; retry the request.',
});

/**
 * The answer to a failed commit: 500 when the database refused it (nothing was stored), 503 with
 * Retry-After when the connection was lost. With the COMMIT in flight the outcome is unknown (it
 * may have reached the database before the connection died), so the body must not claim nothing
 * was stored; when the database had closed the connection before the COMMIT was sent, nothing was.
 */
export function commitFailedResponse(failure: CommitFailure): ReplacementResponse {
  if (failure === 'refused') return { statusCode: 500, headers: {}, body: COMMIT_FAILED_BODY };
  if (failure === 'rolledBack') {
    return serviceUnavailable(
      'The database connection was lost before the changes were committed: nothing was stored. The request may ' +
        'be repeated.',
    );
  }
  return serviceUnavailable(
    'The database connection was lost while the changes were being committed: they may or may not have been ' +
      'stored. Check before repeating the request.',
  );
}

/**
 * The answer when the database gave up the request's transaction, at COMMIT, for a conflict with
 * concurrent ones (serialization failure, deadlock): nothing was stored and repeating is safe.
 * The same 503 + Retry-After as `DatabaseUnavailableFilter` gives when the conflict ends the handler.
 */
export function transactionConflictResponse(): ReplacementResponse {
  return serviceUnavailable(
    'The database stopped the transaction because of a conflict with concurrent transactions; nothing was ' +
      'stored. The request may be repeated.',
  );
}

/** A 503 with `Retry-After`, in the body shape of `DatabaseUnavailableFilter`. */
function serviceUnavailable(message: string): ReplacementResponse {
  return {
    statusCode: 503,
    headers: { 'retry-after': '1' },
    body: JSON.stringify({ statusCode: 503, error: 'Service Unavailable', message }),
  };
}

/**
 * Holds a response's first byte until the request's sessions are ended, whatever produced the
 * response (a handler's return value, a redirect, an exception filter, `@Res()`, a stream or SSE),
 * on Express and Fastify alike: both end in Node's `writeHead`/`write`/`end`. The status decided
 * on is the one the client is about to receive, and the client sees it only after the commit.
 */
export function holdResponseUntilSessionsEnd(
  res: ServerResponse,
  beforeSend: BeforeSend,
  override: () => ResponseOverride | undefined = noOverride,
): void {
  if (res.headersSent) {
    // Too late to hold anything back: end the sessions when the response is done.
    res.once('close', () => void beforeSend(res.writableFinished ? res.statusCode : 0));
    return;
  }
  new HeldResponse(res, beforeSend, override);
}

const noOverride = (): undefined => undefined;

/**
 * One held response: what the application wrote while it was held, and the decision. One object per
 * response (its methods are the gate's handlers), and one listener for the client going away.
 */
class HeldResponse implements GateHandlers {
  readonly #queued: Array<{ method: Method; args: unknown[] }> = [];
  #deciding = false;
  #released = false;
  /** The methods the handlers stand in front of. */
  readonly #original: Record<Method, (this: ServerResponse, ...args: unknown[]) => unknown>;

  constructor(
    private readonly res: ServerResponse,
    private readonly beforeSend: BeforeSend,
    private readonly override: () => ResponseOverride | undefined,
  ) {
    this.#original = holdMethods(res, this);
    // `on`, not `once`: decide() removes it, and once's wrapper would cost an allocation per response.
    res.on('close', this.#onClose);
  }

  // The client went away before any byte was written: nothing will be acknowledged, so roll back.
  readonly #onClose = (): void => this.decide(0);

  writeHead(args: unknown[]): unknown {
    const res = this.res;
    if (this.#released) return this.#original.writeHead.apply(res, args);
    if (typeof args[0] === 'number') res.statusCode = args[0];
    this.#queued.push({ method: 'writeHead', args });
    return res;
  }

  write(args: unknown[]): unknown {
    if (this.#released) return this.#original.write.apply(this.res, args);
    this.#queued.push({ method: 'write', args });
    if (!this.isEventStreamPreamble(args[0])) this.decide(this.res.statusCode);
    return true;
  }

  end(args: unknown[]): unknown {
    const res = this.res;
    if (this.#released) return this.#original.end.apply(res, args);
    this.#queued.push({ method: 'end', args });
    this.decide(res.statusCode);
    return res;
  }

  // Flushing headers alone decides nothing: an SSE stream flushes them as soon as it is
  // subscribed, before its first event's work (and writes) are done. Its first event decides.
  flushHeaders(args: unknown[]): unknown {
    if (this.#released) return this.#original.flushHeaders.apply(this.res, args);
    this.#queued.push({ method: 'flushHeaders', args });
    return undefined;
  }

  private applyOverride(): void {
    const wanted = this.override();
    if (!wanted) return;
    const res = this.res;
    res.statusCode = wanted.statusCode;
    for (const [name, value] of Object.entries(wanted.headers)) res.setHeader(name, value);
    for (const call of this.#queued) {
      if (call.method !== 'writeHead') continue;
      // writeHead(status, [statusMessage], [headers]): headers given here win over setHeader.
      const headers = call.args.find((arg, index) => index > 0 && typeof arg === 'object' && arg !== null);
      call.args = headers ? [wanted.statusCode, { ...headers, ...wanted.headers }] : [wanted.statusCode];
    }
  }

  private decide(status: number): void {
    if (this.#deciding) return;
    this.#deciding = true;
    const res = this.res;
    res.removeListener('close', this.#onClose);
    if (status !== 0) {
      this.applyOverride();
      status = res.statusCode;
    }
    void this.beforeSend(status).then(
      (replacement) => this.release(replacement),
      () => this.release(commitFailedResponse('refused')),
    );
  }

  // Replays what the application wrote while it was held, as it would have happened: Fastify, seeing
  // no headers sent yet, may add a second writeHead/end of its own; those are dropped, as Node
  // would have refused them.
  private replay(): void {
    const res = this.res;
    let headWritten = false;
    for (const { method, args } of this.#queued) {
      if (res.writableEnded || (method === 'writeHead' && (headWritten || res.headersSent))) continue;
      if (method === 'writeHead') headWritten = true;
      this.#original[method].apply(res, args);
    }
  }

  private release(replacement: ReplacementResponse | undefined): void {
    const res = this.res;
    this.#released = true;
    releaseMethods(res);
    if (!replacement || res.headersSent) {
      this.replay();
      return;
    }
    for (const name of res.getHeaderNames()) res.removeHeader(name);
    res.statusCode = replacement.statusCode;
    for (const [name, value] of Object.entries(replacement.headers)) res.setHeader(name, value);
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.setHeader('content-length', Buffer.byteLength(replacement.body));
    const endCall = this.#queued.find((call) => call.method === 'end');
    const callback = endCall?.args.find((arg) => typeof arg === 'function');
    this.#original.end.call(res, replacement.body, callback);
  }

  // Nest opens an SSE stream with its headers and a bare newline as soon as it subscribes,
  // before the first event's work (and writes) are done: only the first event decides.
  private isEventStream(): boolean {
    const writeHead = this.#queued.find((call) => call.method === 'writeHead');
    const headers = writeHead?.args.find((arg, index) => index > 0 && typeof arg === 'object' && arg !== null);
    const given = Object.entries((headers ?? {}) as Record<string, unknown>).find(([name]) =>
      /^content-type$/i.test(name),
    );
    const type = given ? given[1] : this.res.getHeader('content-type');
    return typeof type === 'string' && type.startsWith('text/event-stream');
  }

  private isEventStreamPreamble(chunk: unknown): boolean {
    return (
      (typeof chunk === 'string' || Buffer.isBuffer(chunk)) &&
      /^(\s|:[^\n]*\n)*$/.test(chunk.toString()) &&
      this.isEventStream()
    );
  }
}
