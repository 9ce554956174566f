import { Controller, Module, type INestApplication } from '@nestjs/common';
import {
  ClientProxyFactory,
  MessagePattern,
  Payload,
  Transport,
  type ClientProxy,
  type MicroserviceOptions,
} from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { firstValueFrom } from 'rxjs';
import {
  AdvancedAlchemy,
  AdvancedAlchemyModule,
  SkipSessionScope,
  type EntryPointsOptions,
} from 'nestjs-advanced-alchemy';
import { createTestDatabase, openProbe, type DatabaseProbe, type TestDatabase } from 'nestjs-advanced-alchemy/testing';
import { COMMIT_ROWS, CommitRow } from '../commit/fixtures/commit-row.entity';
import { freePort } from '../support/free-port';
import { newMarker } from '../commit/fixtures/markers';
import { RowWriter } from '../commit/fixtures/row-writer.service';

@Controller()
class RowMessages {
  constructor(
    private readonly rows: RowWriter,
    private readonly alchemy: AdvancedAlchemy,
  ) {}

  @MessagePattern('write') async write(@Payload() marker: string) {
    await this.rows.write(marker);
    return 'written';
  }

  /** Opts out: no unit of work around it, so the injected session refuses to work. */
  @SkipSessionScope()
  @MessagePattern('write-skipped')
  async writeSkipped(@Payload() marker: string) {
    await this.rows.write(marker);
    return 'written';
  }

  /** Opts out, and opens a unit of its own. */
  @SkipSessionScope()
  @MessagePattern('write-own-unit')
  async writeOwnUnit(@Payload() marker: string) {
    await this.alchemy.withSession(() => this.rows.write(marker));
    return 'written';
  }
}

// Message handlers follow the same per-handler opt-out and per-entry-point rules as the other entry points.
describe('message handlers: @SkipSessionScope() and entryPoints.messages', () => {
  let database: TestDatabase;
  let probe: DatabaseProbe;
  const running: Array<{ app: INestApplication; client: ClientProxy }> = [];
  beforeAll(async () => {
    database = await createTestDatabase('sqlite', 'entry_messages');
  });
  afterAll(async () => {
    for (const { app, client } of running) {
      await client.close();
      await app.close();
    }
    await probe?.close();
    await database?.drop();
  });

  async function start(entryPoints?: EntryPointsOptions): Promise<ClientProxy> {
    @Module({
      imports: [
        AdvancedAlchemyModule.forRoot(
          {
            connectionString: database.connectionString,
            entities: [CommitRow],
            createAll: true,
            commitMode: 'autocommit',
          },
          { entryPoints },
        ),
      ],
      controllers: [RowMessages],
      providers: [RowWriter],
    })
    class MessagesModule {}
    const app = (await Test.createTestingModule({ imports: [MessagesModule] }).compile()).createNestApplication({
      logger: false,
    });
    const tcp = { host: '127.0.0.1', port: await freePort() };
    app.connectMicroservice<MicroserviceOptions>({ transport: Transport.TCP, options: tcp });
    await app.startAllMicroservices();
    await app.init();
    const client = ClientProxyFactory.create({ transport: Transport.TCP, options: tcp });
    await client.connect();
    running.push({ app, client });
    probe ??= await openProbe(database.connectionString);
    return client;
  }
  const rowsOf = (marker: string) => probe.count(COMMIT_ROWS, 'marker = ?', [marker]);

  it('@SkipSessionScope() on a handler: no unit around it; one it opens itself with withSession commits', async () => {
    const client = await start();
    const [skipped, own] = [newMarker(), newMarker()];
    await expect(firstValueFrom(client.send('write-skipped', skipped))).rejects.toBeDefined();
    await expect(firstValueFrom(client.send('write-own-unit', own))).resolves.toBe('written');
    expect([await rowsOf(skipped), await rowsOf(own)]).toEqual([0, 1]);
  });

  it("entryPoints.messages { commitMode: 'manual' }: nothing committed by itself", async () => {
    const client = await start({ messages: { commitMode: 'manual' } });
    const marker = newMarker();
    await expect(firstValueFrom(client.send('write', marker))).resolves.toBe('written');
    expect(await rowsOf(marker)).toBe(0);
  });

  it('entryPoints.messages false: no unit, the session refuses to work outside one', async () => {
    const client = await start({ messages: false });
    const marker = newMarker();
    await expect(firstValueFrom(client.send('write', marker))).rejects.toBeDefined();
    expect(await rowsOf(marker)).toBe(0);
  });
});
