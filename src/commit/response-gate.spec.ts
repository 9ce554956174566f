import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { COMMIT_FAILED_BODY, holdResponseUntilSessionsEnd, type BeforeSend } from './response-gate';
import type { ResponseOverride } from '../session/session-scope';

// The gate on a real Node server (what Express and Fastify both end in): nothing reaches the client
// before the sessions have ended, and the client gets what the end decided.

interface Answer {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

type Handler = (res: ServerResponse) => void;

let server: Server;
let port: number;
let handle: Handler;
let gateOptions: { beforeSend: BeforeSend; override?: () => ResponseOverride | undefined };

beforeAll(async () => {
  server = createServer((_req, res) => {
    holdResponseUntilSessionsEnd(res, gateOptions.beforeSend, gateOptions.override);
    handle(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** A GET to the server; `received` turns true when the status line arrives. */
function get(): { answer: Promise<Answer>; received: () => boolean; abort: () => void } {
  let arrived = false;
  const client = request({ host: '127.0.0.1', port, path: '/', agent: false });
  const answer = new Promise<Answer>((resolve, reject) => {
    client.on('response', (response) => {
      arrived = true;
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    client.on('error', reject);
  });
  client.end();
  return { answer, received: () => arrived, abort: () => client.destroy() };
}

/** A beforeSend whose outcome the test decides, recording the statuses it was asked about. */
function controlledBeforeSend() {
  const statuses: number[] = [];
  let settle!: (replacement: Awaited<ReturnType<BeforeSend>>) => void;
  let fail!: (error: Error) => void;
  const called = new Promise<void>((resolveCalled) => {
    gateOptions = {
      beforeSend: (status) => {
        statuses.push(status);
        resolveCalled();
        return new Promise((resolve, reject) => {
          settle = resolve;
          fail = reject;
        });
      },
    };
  });
  return {
    statuses,
    called,
    settle: (value?: Awaited<ReturnType<BeforeSend>>) => settle(value),
    fail: (e: Error) => fail(e),
  };
}

describe('holdResponseUntilSessionsEnd', () => {
  it('holds the first byte until the sessions have ended, then sends the response as written', async () => {
    const gate = controlledBeforeSend();
    handle = (res) => {
      res.setHeader('content-type', 'text/plain');
      res.end('stored');
    };
    const call = get();
    await gate.called;
    // The handler has ended its response, but the end of the sessions has not answered yet.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(call.received()).toBe(false);
    gate.settle(undefined);
    const answer = await call.answer;
    expect(answer).toMatchObject({ status: 200, body: 'stored' });
    expect(gate.statuses).toEqual([200]);
  });

  it('asks about the status the client is about to receive (writeHead)', async () => {
    const gate = controlledBeforeSend();
    handle = (res) => {
      res.writeHead(201, { 'x-created': 'yes' });
      res.end('created');
    };
    const call = get();
    await gate.called;
    expect(gate.statuses).toEqual([201]);
    gate.settle(undefined);
    expect(await call.answer).toMatchObject({ status: 201, body: 'created', headers: { 'x-created': 'yes' } });
  });

  it('sends the replacement instead when the commit failed, without the headers of the lost answer', async () => {
    const gate = controlledBeforeSend();
    handle = (res) => {
      res.setHeader('x-lost', 'yes');
      res.writeHead(201);
      res.end('created');
    };
    const call = get();
    await gate.called;
    gate.settle({ statusCode: 503, headers: { 'retry-after': '1' }, body: '{"statusCode":503}' });
    const answer = await call.answer;
    expect(answer.status).toBe(503);
    expect(answer.body).toBe('{"statusCode":503}');
    expect(answer.headers['retry-after']).toBe('1');
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(answer.headers['x-lost']).toBeUndefined();
  });

  it('answers 500 (nothing stored) when ending the sessions throws', async () => {
    const gate = controlledBeforeSend();
    handle = (res) => res.end('ok');
    const call = get();
    await gate.called;
    gate.fail(new Error('COMMIT failed'));
    expect(await call.answer).toMatchObject({ status: 500, body: COMMIT_FAILED_BODY });
  });

  it('applies the override (status and headers) before asking, and sends it', async () => {
    const gate = controlledBeforeSend();
    gateOptions.override = () => ({ statusCode: 409, headers: { 'x-override': '1' } });
    handle = (res) => {
      res.writeHead(200, { 'x-own': 'kept' });
      res.end('body');
    };
    const call = get();
    await gate.called;
    gateOptions.override = undefined;
    expect(gate.statuses).toEqual([409]);
    gate.settle(undefined);
    const answer = await call.answer;
    expect(answer.status).toBe(409);
    expect(answer.headers).toMatchObject({ 'x-override': '1', 'x-own': 'kept' });
  });

  it('does not decide on the preamble of an event stream, only on its first event', async () => {
    const gate = controlledBeforeSend();
    let wrotePreamble!: () => void;
    const preambleWritten = new Promise<void>((resolve) => (wrotePreamble = resolve));
    let sendEvent!: () => void;
    handle = (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('\n');
      wrotePreamble();
      sendEvent = () => {
        res.write('data: first\n\n');
        res.end();
      };
    };
    const call = get();
    await preambleWritten;
    expect(gate.statuses).toEqual([]);
    sendEvent();
    await gate.called;
    expect(gate.statuses).toEqual([200]);
    gate.settle(undefined);
    expect((await call.answer).body).toBe('\ndata: first\n\n');
  });

  it('ends the sessions with status 0 (nothing acknowledged) when the client leaves before any byte', async () => {
    const gate = controlledBeforeSend();
    let responded!: ServerResponse;
    const handled = new Promise<void>((resolve) => {
      handle = (res) => {
        responded = res;
        resolve();
      };
    });
    const call = get();
    call.answer.catch(() => undefined);
    await handled;
    call.abort();
    await gate.called;
    expect(gate.statuses).toEqual([0]);
    gate.settle(undefined);
    responded.end();
  });
});
