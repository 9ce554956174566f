import { ServerResponse } from 'node:http';
import request from 'supertest';
import { useTestApp } from 'nestjs-advanced-alchemy/testing';
import { NOTES, NOTES_APP } from '../support/notes';

// An APM agent or a response tool loaded after the application started wraps Node's own
// `ServerResponse.prototype.end`. The response gate must not hide that wrapper from later answers.

type End = (this: ServerResponse, ...args: unknown[]) => unknown;

describe('a wrapper of ServerResponse.prototype.end installed after the first held response (Express)', () => {
  const nodeEnd = ServerResponse.prototype.end as End;
  const ownBefore = Object.getOwnPropertyDescriptor(ServerResponse.prototype, 'end');
  const testApp = useTestApp({
    kind: 'sqlite',
    label: 'late_patch',
    ...NOTES_APP,
  });
  afterAll(() => {
    if (ownBefore) Object.defineProperty(ServerResponse.prototype, 'end', ownBefore);
    else delete (ServerResponse.prototype as Partial<ServerResponse>).end;
  });

  it('is called for every answer after it, and the rows are committed', async () => {
    await request(testApp.url).post('/notes').expect(201);

    let wrapped = 0;
    (ServerResponse.prototype as unknown as Record<string, End>).end = function agentEnd(
      this: ServerResponse,
      ...args
    ) {
      wrapped += 1;
      return nodeEnd.apply(this, args);
    };
    for (let i = 0; i < 20; i += 1) await request(testApp.url).post('/notes').expect(201);

    expect(wrapped).toBe(20);
    expect(await testApp.probe.count(NOTES)).toBe(21);
  });
});
