import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** How often idle keep-alive sockets are closed while the server drains. */
const SWEEP_INTERVAL_MS = 100;

const closeAfterResponse = (_request: IncomingMessage, response: ServerResponse): void => {
  if (!response.headersSent) response.setHeader('Connection', 'close');
};

/** The open connections of each server the module watches (`trackHttpConnections`). */
const openConnections = new WeakMap<Server, Set<Socket>>();

/**
 * Keeps the server's open connections, so that a drain can reach the requests already in flight on
 * them. Per connection, not per request: keep-alive traffic pays nothing for it.
 */
export function trackHttpConnections(server: Server): void {
  if (openConnections.has(server)) return;
  const sockets = new Set<Socket>();
  openConnections.set(server, sockets);
  const forget = function (this: Socket): void {
    sockets.delete(this);
  };
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', forget);
  });
}

/**
 * Lets an HTTP server finish within `timeoutMs` even under steady keep-alive traffic. Node's
 * `server.close()` only stops accepting new connections: a client that keeps sending on its open
 * socket is served for as long as it likes. From now on every response tells its client to close
 * (`Connection: close`) — the requests already in flight too, so that no client sends another
 * request on a connection the server is about to let go (ECONNRESET) —, sockets that fall idle are
 * closed, and whatever is still open when the time is up is cut.
 */
export function drainHttpServer(server: Server, timeoutMs: number): void {
  server.prependListener('request', closeAfterResponse);
  for (const socket of openConnections.get(server) ?? []) {
    // Node keeps the response a connection is serving in `_httpMessage` (no public accessor exists).
    const response = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage;
    if (response) closeAfterResponse(response.req, response);
  }
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
