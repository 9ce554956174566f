import { Controller } from '@nestjs/common';
import { MessagePattern, Payload, RpcException } from '@nestjs/microservices';
import { WsAdapter } from '@nestjs/platform-ws';
import { MessageBody, SubscribeMessage, WebSocketGateway, WsException } from '@nestjs/websockets';
import type { CommitMode } from 'nestjs-advanced-alchemy';
import { testDatabaseKinds, useTestApp } from 'nestjs-advanced-alchemy/testing';
import { COMMIT_ROWS, CommitRow } from './fixtures/commit-row.entity';
import { MODES } from './fixtures/commit-table';
import { TcpMessages } from '../support/tcp-messages';
import { newMarker } from './fixtures/markers';
import { RowWriter } from './fixtures/row-writer.service';
import { openWsClient, type WsClient } from './fixtures/ws-client';

@Controller()
class RowMessagesController {
  constructor(private readonly rows: RowWriter) {}

  @MessagePattern('rows.write') async write(@Payload() marker: string) {
    await this.rows.write(marker);
    return marker;
  }

  @MessagePattern('rows.write-then-throw') async writeThenThrow(@Payload() marker: string) {
    await this.rows.write(marker);
    throw new RpcException(`failing after writing ${marker}`);
  }
}

@WebSocketGateway()
class RowsGateway {
  constructor(private readonly rows: RowWriter) {}

  @SubscribeMessage('write') async write(@MessageBody() marker: string) {
    await this.rows.write(marker);
    return { event: 'written', data: marker };
  }

  @SubscribeMessage('write-then-throw') async writeThenThrow(@MessageBody() marker: string) {
    await this.rows.write(marker);
    throw new WsException(`failing after writing ${marker}`);
  }
}

// Outside HTTP there is no status: the module's interceptor (attached by itself to message
// controllers and gateways) commits when the handler completes — in the non-manual modes — and
// rolls back when it throws, before the reply goes out. withSession() does the same for scripts.
describe.each(testDatabaseKinds())('outside HTTP, %s', (kind) => {
  describe.each(MODES)('%s', (mode: CommitMode) => {
    const commitsOnCompletion = mode !== 'manual';
    const messages = new TcpMessages();
    let ws: WsClient;
    const testApp = useTestApp({
      kind,
      label: 'outside_http',
      entities: [CommitRow],
      config: { commitMode: mode },
      controllers: [RowMessagesController],
      providers: [RowWriter, RowsGateway],
      async configure(app) {
        app.useWebSocketAdapter(new WsAdapter(app));
        await messages.attach(app);
      },
    });
    beforeAll(async () => {
      ws = await openWsClient(testApp.url.replace(/^http/, 'ws'));
    });
    afterAll(async () => {
      ws?.close();
      await messages.close();
    });
    const rowsOf = (marker: string) => testApp.probe.count(COMMIT_ROWS, 'marker = ?', [marker]);

    it(`a @MessagePattern handler that writes then returns: ${commitsOnCompletion ? 'committed' : 'not committed (manual)'}`, async () => {
      const marker = newMarker();
      await expect(messages.send('rows.write', marker)).resolves.toBe(marker);
      expect(await rowsOf(marker)).toBe(commitsOnCompletion ? 1 : 0);
    });

    it('a @MessagePattern handler that writes then throws: rolled back', async () => {
      const marker = newMarker();
      await expect(messages.send('rows.write-then-throw', marker)).rejects.toEqual(
        expect.objectContaining({ message: `failing after writing ${marker}` }),
      );
      expect(await rowsOf(marker)).toBe(0);
    });

    it(`a @SubscribeMessage handler that writes then returns: ${commitsOnCompletion ? 'committed' : 'not committed (manual)'}`, async () => {
      const marker = newMarker();
      await expect(ws.request('write', marker)).resolves.toEqual({ event: 'written', data: marker });
      expect(await rowsOf(marker)).toBe(commitsOnCompletion ? 1 : 0);
    });

    it('a @SubscribeMessage handler that writes then throws: rolled back', async () => {
      const marker = newMarker();
      // The exception reaches the client after the rollback: the interceptor ends the scope first.
      await expect(ws.request('write-then-throw', marker)).resolves.toEqual({
        event: 'exception',
        data: expect.objectContaining({ message: `failing after writing ${marker}` }),
      });
      expect(await rowsOf(marker)).toBe(0);
    });

    it('withSession() commits its own bind key when the work resolves, whatever the mode', async () => {
      const marker = newMarker();
      await testApp.alchemy.withSession((session) => session.getRepository(CommitRow).insert({ marker }));
      expect(await rowsOf(marker)).toBe(1);
    });

    it('withSession() rolls back when the work throws', async () => {
      const marker = newMarker();
      const failing = testApp.alchemy.withSession(async (session) => {
        await session.getRepository(CommitRow).insert({ marker });
        throw new Error('failing inside withSession');
      });
      await expect(failing).rejects.toThrow('failing inside withSession');
      expect(await rowsOf(marker)).toBe(0);
    });
  });
});

// With commitMode left out (the seed's manual), a message handler that writes and commits nothing
// fails instead of replying as if its work were stored (docs/commit-modes.md).
describe.each(testDatabaseKinds())('outside HTTP, commitMode left out, %s', (kind) => {
  const messages = new TcpMessages();
  const testApp = useTestApp({
    kind,
    label: 'outside_http_unstated',
    entities: [CommitRow],
    config: { commitMode: undefined },
    controllers: [RowMessagesController],
    providers: [RowWriter],
    configure: messages.attach,
  });
  afterAll(() => messages.close());

  it('a @MessagePattern handler that writes and commits nothing gets an error, not its reply; nothing is stored', async () => {
    const marker = newMarker();
    await expect(messages.send('rows.write', marker)).rejects.toBeDefined();
    expect(await testApp.probe.count(COMMIT_ROWS, 'marker = ?', [marker])).toBe(0);
  });
});
