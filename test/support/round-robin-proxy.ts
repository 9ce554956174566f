import { createServer, request, type IncomingMessage, type Server } from 'node:http';

// An HTTP load balancer in front of several instances of a test app, as a rolling deploy has one:
// each request goes to the next backend in rotation; a backend taken out of rotation (before its
// SIGTERM) gets no new requests; a connection refused (an instance not listening, nothing sent yet)
// is tried on the next backend. Any other failure is answered 502, so the test sees it.

export interface RoundRobinProxy {
  url: string;
  /** Puts a backend (`http://host:port`) in rotation at `slot`, replacing the one there. */
  setBackend(slot: number, url: string): void;
  /** Takes the backend at `slot` out of rotation (requests already sent to it go on). */
  removeBackend(slot: number): void;
  /** How many answers each backend URL gave. */
  readonly answered: ReadonlyMap<string, number>;
  close(): Promise<void>;
}

interface Forwarded {
  status: number;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

function forward(backend: string, incoming: IncomingMessage, body: Buffer): Promise<Forwarded> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      `${backend}${incoming.url ?? '/'}`,
      { method: incoming.method, headers: { ...incoming.headers, connection: 'close' }, agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 502, headers: response.headers, body: Buffer.concat(chunks) }),
        );
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

export async function startRoundRobinProxy(): Promise<RoundRobinProxy> {
  const slots: Array<string | undefined> = [];
  const answered = new Map<string, number>();
  let next = 0;
  const pick = (): string | undefined => {
    for (let tried = 0; tried < slots.length; tried++) {
      const backend = slots[next++ % slots.length];
      if (backend !== undefined) return backend;
    }
    return undefined;
  };
  const server: Server = createServer((incoming, reply) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        for (let attempt = 0; attempt < 20; attempt++) {
          const backend = pick();
          if (backend === undefined) break;
          try {
            const answer = await forward(backend, incoming, body);
            answered.set(backend, (answered.get(backend) ?? 0) + 1);
            const headers = { ...answer.headers };
            delete headers.connection;
            delete headers['keep-alive'];
            delete headers['transfer-encoding'];
            reply.writeHead(answer.status, headers).end(answer.body);
            return;
          } catch (error) {
            // Refused: the request never reached an application, another backend may take it.
            if ((error as NodeJS.ErrnoException).code === 'ECONNREFUSED') continue;
            reply.writeHead(502).end(`proxy: ${String(error)}`);
            return;
          }
        }
        reply.writeHead(502).end('proxy: no backend answered');
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    setBackend: (slot, url) => {
      slots[slot] = url;
    },
    removeBackend: (slot) => {
      slots[slot] = undefined;
    },
    answered,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
