import { StreamableFile } from '@nestjs/common';
import { sessionScopeStorage, type SessionScope } from '../../session/session-scope';
import { toJsonValue, type JsonValue } from './to-json-value';

export interface JsonifyOptions {
  /** The status the client receives (and that decides the commit). Default 200. */
  statusCode?: number;
  /** Extra response headers. */
  headers?: Record<string, string>;
}

/**
 * What `jsonify` returns: the JSON text of the converted data, sent as `application/json` with
 * its status and headers on Express and Fastify (the status also decides the commit).
 *
 * It is a `StreamableFile` so that result-mapping interceptors such as Nest's
 * `ClassSerializerInterceptor` pass it through untouched; wrapped inside another object it
 * serialises through `toJSON()`. The status and headers apply only once Nest actually sends it,
 * so a handler that builds one and then throws still answers with its error's status.
 */
export class JsonResponse<Data = unknown> extends StreamableFile {
  readonly body: JsonValue;
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly #scope?: SessionScope;

  constructor(data: Data, options: JsonifyOptions = {}) {
    const statusCode = options.statusCode ?? 200;
    if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
      throw new RangeError(`jsonify: statusCode must be an integer from 100 to 599 (got ${String(statusCode)}).`);
    }
    const body = toJsonValue(data) ?? null;
    const text = Buffer.from(JSON.stringify(body));
    super(text, { type: 'application/json; charset=utf-8', length: text.length });
    this.body = body;
    this.statusCode = statusCode;
    this.headers = { ...options.headers };
    this.#scope = sessionScopeStorage.getStore();
    this.#scope?.requestResponseHold();
  }

  /** Called by Nest's HTTP adapters when they send the body. */
  override getStream(): ReturnType<StreamableFile['getStream']> {
    this.markSent();
    return super.getStream();
  }

  /** Called when the response is serialised as part of other data (or outside HTTP). */
  toJSON(): JsonValue {
    this.markSent();
    return this.body;
  }

  private markSent(): void {
    this.#scope?.overrideResponse({ statusCode: this.statusCode, headers: this.headers });
  }
}
