import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/** How often idle keep-alive sockets are closed while the server drains. */
const SWEEP_INTERVAL_MS = 100;

const closeAfterResponse = (_request: IncomingMessage, response: ServerResponse): void => {
  if (!response.headersSent) response.setHeader('Connection', 'close');
};

/**
 * Lets an HTTP server finish within `timeoutMs` even under steady keep-alive traffic. Node's
 * `server.close()` only stops accepting new connections: a client that keeps sending on its open
 * socket is served for as long as it likes. From now on every response tells its client to close
 * (`Connection: close`), sockets that fall idle are closed, and whatever is still open when the
 * time is up is cut.
 */
export function drainHttpServer(server: Server, timeoutMs: number): void {
  server.prependListener('request', closeAfterResponse);
  server.closeIdleConnections();
  const sweep = setInterval(() => server.closeIdleConnections(), SWEEP_INTERVAL_MS);
  const cut = setTimeout(() => server.closeAllConnections(), timeoutMs);
  sweep.unref();
  cut.unref();
  server.once('close', () => {
    clearInterval(sweep);
    clearTimeout(cut);
  });
}

/** The Node HTTP server behind a Nest HTTP adapter, if the application has one. */
export function nodeHttpServer(candidate: unknown): Server | undefined {
  const server = candidate as Partial<Server> | undefined;
  return typeof server?.closeIdleConnections === 'function' && typeof server.closeAllConnections === 'function'
    ? (server as Server)
    : undefined;
}
