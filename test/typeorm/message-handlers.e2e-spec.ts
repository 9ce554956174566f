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
import { InjectRepository } from '@nestjs/typeorm';
import { firstValueFrom } from 'rxjs';
import type { Repository } from 'typeorm';
import { AdvancedAlchemyModule } from 'nestjs-advanced-alchemy';
import {
  createTestDatabase,
  openProbe,
  testDatabaseKinds,
  type DatabaseProbe,
  type TestDatabase,
} from 'nestjs-advanced-alchemy/testing';
import { COMMIT_ROWS, CommitRow } from '../commit/fixtures/commit-row.entity';
import { freePort } from '../support/free-port';
import { newMarker } from '../commit/fixtures/markers';
import { bootApp } from '../support/boot-app';

@Controller()
class RowMessagesController {
  constructor(@InjectRepository(CommitRow) private readonly rows: Repository<CommitRow>) {}

  @MessagePattern('rows.write') async write(@Payload() marker: string) {
    await this.rows.save({ marker });
    return marker;
  }

  @MessagePattern('rows.write-then-throw') async writeThenThrow(@Payload() marker: string) {
    await this.rows.save({ marker });
    throw new RpcException(`failing after writing ${marker}`);
  }
}

// A message handler is a session scope like a request: an injected repository's writes are
// committed when the handler completes and rolled back when it throws.
describe.each(testDatabaseKinds())('@InjectRepository in a message handler on %s', (kind) => {
  let database: TestDatabase;
  let probe: DatabaseProbe;
  let app: INestApplication;
  let client: ClientProxy;

  beforeAll(async () => {
    database = await createTestDatabase(kind, 'nt_messages');
    @Module({
      imports: [
        AdvancedAlchemyModule.forRoot({
          connectionString: database.connectionString,
          autoLoadEntities: true,
          createAll: true,
          commitMode: 'autocommit',
        }),
        AdvancedAlchemyModule.forFeature([CommitRow]),
      ],
      controllers: [RowMessagesController],
    })
    class MessagingModule {}
    const tcp = { host: '127.0.0.1', port: await freePort() };
    app = await bootApp(MessagingModule);
    app.connectMicroservice<MicroserviceOptions>({ transport: Transport.TCP, options: tcp });
    await app.startAllMicroservices();
    client = ClientProxyFactory.create({ transport: Transport.TCP, options: tcp });
    await client.connect();
    probe = await openProbe(database.connectionString);
  });
  afterAll(async () => {
    await client?.close();
    await probe?.close();
    await app?.close();
    await database?.drop();
  });

  const rowsOf = (marker: string) => probe.count(COMMIT_ROWS, 'marker = ?', [marker]);

  it('commits when the handler completes', async () => {
    const marker = newMarker();
    await expect(firstValueFrom(client.send('rows.write', marker))).resolves.toBe(marker);
    expect(await rowsOf(marker)).toBe(1);
  });

  it('rolls back when the handler throws', async () => {
    const marker = newMarker();
    await expect(firstValueFrom(client.send('rows.write-then-throw', marker))).rejects.toEqual(
      expect.objectContaining({ message: `failing after writing ${marker}` }),
    );
    expect(await rowsOf(marker)).toBe(0);
  });
});
