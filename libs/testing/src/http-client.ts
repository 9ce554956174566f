/** A response as a test reads it: the status, the headers, and the body (parsed when it is JSON). */
export interface TestResponse<Body = unknown> {
  status: number;
  headers: Headers;
  /** The parsed JSON body, or the text when the response is not JSON (`undefined` when empty). */
  body: Body;
  text: string;
}

export interface TestRequestInit {
  /** Sent as JSON (`content-type: application/json`) unless it is a string. */
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * A small HTTP client on Node's own `fetch`, bound to the application's address: no runtime
 * dependency, and the same in Jest and Vitest.
 */
export interface TestHttpClient {
  request<Body = unknown>(method: string, path: string, init?: TestRequestInit): Promise<TestResponse<Body>>;
  get<Body = unknown>(path: string, init?: TestRequestInit): Promise<TestResponse<Body>>;
  post<Body = unknown>(path: string, body?: unknown, init?: TestRequestInit): Promise<TestResponse<Body>>;
  put<Body = unknown>(path: string, body?: unknown, init?: TestRequestInit): Promise<TestResponse<Body>>;
  patch<Body = unknown>(path: string, body?: unknown, init?: TestRequestInit): Promise<TestResponse<Body>>;
  delete<Body = unknown>(path: string, init?: TestRequestInit): Promise<TestResponse<Body>>;
}

/** A client for the server at `baseUrl` (`http://127.0.0.1:<port>`). */
export function httpClient(baseUrl: string): TestHttpClient {
  async function request<Body>(method: string, path: string, init: TestRequestInit = {}): Promise<TestResponse<Body>> {
    const headers: Record<string, string> = { ...init.headers };
    let payload: string | undefined;
    if (init.body !== undefined) {
      payload = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
      if (typeof init.body !== 'string') headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(new URL(path, baseUrl), { method, headers, body: payload });
    const text = await response.text();
    const json = /\bjson\b/.test(response.headers.get('content-type') ?? '') && text.length > 0;
    const body = (json ? JSON.parse(text) : text.length > 0 ? text : undefined) as Body;
    return { status: response.status, headers: response.headers, body, text };
  }
  return {
    request,
    get: (path, init) => request('GET', path, init),
    post: (path, body, init) => request('POST', path, { ...init, body }),
    put: (path, body, init) => request('PUT', path, { ...init, body }),
    patch: (path, body, init) => request('PATCH', path, { ...init, body }),
    delete: (path, init) => request('DELETE', path, init),
  };
}
