import { Controller, Module, type INestApplication } from '@nestjs/common';
import {
  ClientProxyFactory,
  MessagePattern,
  Payload,
  RpcException,
  Transport,
  type ClientProxy,
  type MicroserviceOptions,
} from '@nestjs/microservices';
import { WsAdapter } from '@nestjs/platform-ws';
import { Test } from '@nestjs/testing';
import { MessageBody, SubscribeMessage, WebSocketGateway, WsException } from '@nestjs/websockets';
import { firstValueFrom } from 'rxjs';
import { AdvancedAlchemy, AdvancedAlchemyModule, type CommitMode } from 'nestjs-advanced-alchemy';
import {
  createTestDatabase,
  openProbe,
  testDatabaseKinds,
  type DatabaseProbe,
  type TestDatabase,
} from 'nestjs-advanced-alchemy/testing';
import { COMMIT_ROWS, CommitRow } from './fixtures/commit-row.entity';
import { MODES } from './fixtures/commit-table';
import { freePort } from '../support/free-port';
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
  let database: TestDatabase;
  let probe: DatabaseProbe;
  beforeAll(async () => {
    database = await createTestDatabase(kind, 'outside_http');
  });
  afterAll(async () => {
    await probe?.close();
    await database?.drop();
  });
  const rowsOf = (marker: string) => probe.count(COMMIT_ROWS, 'marker = ?', [marker]);

  describe.each(MODES)('%s', (mode: CommitMode) => {
    const commitsOnCompletion = mode !== 'manual';
    let app: INestApplication;
    let client: ClientProxy;
    let ws: WsClient;
    beforeAll(async () => {
      @Module({
        imports: [
          AdvancedAlchemyModule.forRoot({
            connectionString: database.connectionString,
            entities: [CommitRow],
            createAll: true,
            commitMode: mode,
          }),
        ],
        controllers: [RowMessagesController],
        providers: [RowWriter, RowsGateway],
      })
      class MessagingModule {}
      const moduleRef = await Test.createTestingModule({ imports: [MessagingModule] }).compile();
      app = moduleRef.createNestApplication({ logger: false });
      app.useWebSocketAdapter(new WsAdapter(app));
      const tcp = { host: '127.0.0.1', port: await freePort() };
      app.connectMicroservice<MicroserviceOptions>({ transport: Transport.TCP, options: tcp });
      await app.startAllMicroservices();
      await app.listen(0, '127.0.0.1');
      client = ClientProxyFactory.create({ transport: Transport.TCP, options: tcp });
      await client.connect();
      ws = await openWsClient((await app.getUrl()).replace(/^http/, 'ws'));
      probe ??= await openProbe(database.connectionString);
    });
    afterAll(async () => {
      ws?.close();
      await client?.close();
      await app?.close();
    });

    it(`a @MessagePattern handler that writes then returns: ${commitsOnCompletion ? 'committed' : 'not committed (manual)'}`, async () => {
      const marker = newMarker();
      await expect(firstValueFrom(client.send('rows.write', marker))).resolves.toBe(marker);
      expect(await rowsOf(marker)).toBe(commitsOnCompletion ? 1 : 0);
    });

    it('a @MessagePattern handler that writes then throws: rolled back', async () => {
      const marker = newMarker();
      await expect(firstValueFrom(client.send('rows.write-then-throw', marker))).rejects.toEqual(
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
      await app.get(AdvancedAlchemy).withSession((session) => session.getRepository(CommitRow).insert({ marker }));
      expect(await rowsOf(marker)).toBe(1);
    });

    it('withSession() rolls back when the work throws', async () => {
      const marker = newMarker();
      const failing = app.get(AdvancedAlchemy).withSession(async (session) => {
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
  let database: TestDatabase;
  let probe: DatabaseProbe;
  let app: INestApplication;
  let client: ClientProxy;
  beforeAll(async () => {
    database = await createTestDatabase(kind, 'outside_http_unstated');
    @Module({
      imports: [
        AdvancedAlchemyModule.forRoot({
          connectionString: database.connectionString,
          entities: [CommitRow],
          createAll: true,
        }),
      ],
      controllers: [RowMessagesController],
      providers: [RowWriter],
    })
    class UnstatedMessagingModule {}
    const moduleRef = await Test.createTestingModule({ imports: [UnstatedMessagingModule] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    const tcp = { host: '127.0.0.1', port: await freePort() };
    app.connectMicroservice<MicroserviceOptions>({ transport: Transport.TCP, options: tcp });
    await app.startAllMicroservices();
    await app.init();
    client = ClientProxyFactory.create({ transport: Transport.TCP, options: tcp });
    await client.connect();
    probe = await openProbe(database.connectionString);
  });
  afterAll(async () => {
    await client?.close();
    await app?.close();
    await probe?.close();
    await database?.drop();
  });

  it('a @MessagePattern handler that writes and commits nothing gets an error, not its reply; nothing is stored', async () => {
    const marker = newMarker();
    await expect(firstValueFrom(client.send('rows.write', marker))).rejects.toBeDefined();
    expect(await probe.count(COMMIT_ROWS, 'marker = ?', [marker])).toBe(0);
  });
});
