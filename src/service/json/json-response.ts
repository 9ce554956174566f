import { sessionScopeStorage, type SessionScope } from '../../session/session-scope';
import { toJsonValue, type JsonValue } from './to-json-value';

export interface JsonifyOptions {
  /** The status the client receives (and that decides the commit). Default 200. */
  statusCode?: number;
  /** Extra response headers. */
  headers?: Record<string, string>;
}

/**
 * What `jsonify` returns. Nest serialises it through `toJSON()` (the converted data) on Express
 * and Fastify; inside an HTTP request its status and headers replace Nest's when the response
 * leaves, so they also decide the commit.
 */
export class JsonResponse<Data = unknown> {
  readonly body: JsonValue;
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly #scope?: SessionScope;

  constructor(data: Data, options: JsonifyOptions = {}) {
    const statusCode = options.statusCode ?? 200;
    if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
      throw new RangeError(`jsonify: statusCode must be an integer from 100 to 599 (got ${String(statusCode)}).`);
    }
    this.body = toJsonValue(data) ?? null;
    this.statusCode = statusCode;
    this.headers = { ...options.headers };
    this.#scope = sessionScopeStorage.getStore();
    this.#scope?.requestResponseHold();
  }

  /**
   * Called when Nest serialises the response: only then do the status and headers apply, so a
   * handler that builds a JsonResponse and then throws still answers with its error's status.
   */
  toJSON(): JsonValue {
    this.#scope?.overrideResponse({ statusCode: this.statusCode, headers: this.headers });
    return this.body;
  }
}
