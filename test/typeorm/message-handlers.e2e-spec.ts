import { Controller } from '@nestjs/common';
import { MessagePattern, Payload, RpcException } from '@nestjs/microservices';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { AdvancedAlchemyModule } from 'nestjs-advanced-alchemy';
import { testDatabaseKinds, useTestApp } from 'nestjs-advanced-alchemy/testing';
import { COMMIT_ROWS, CommitRow } from '../commit/fixtures/commit-row.entity';
import { TcpMessages } from '../support/tcp-messages';
import { newMarker } from '../commit/fixtures/markers';

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
  const messages = new TcpMessages();
  const testApp = useTestApp({
    kind,
    label: 'nt_messages',
    config: { autoLoadEntities: true },
    imports: [AdvancedAlchemyModule.forFeature([CommitRow])],
    controllers: [RowMessagesController],
    configure: messages.attach,
  });
  afterAll(() => messages.close());

  const rowsOf = (marker: string) => testApp.probe.count(COMMIT_ROWS, 'marker = ?', [marker]);

  it('commits when the handler completes', async () => {
    const marker = newMarker();
    await expect(messages.send('rows.write', marker)).resolves.toBe(marker);
    expect(await rowsOf(marker)).toBe(1);
  });

  it('rolls back when the handler throws', async () => {
    const marker = newMarker();
    await expect(messages.send('rows.write-then-throw', marker)).rejects.toEqual(
      expect.objectContaining({ message: `failing after writing ${marker}` }),
    );
    expect(await rowsOf(marker)).toBe(0);
  });
});
