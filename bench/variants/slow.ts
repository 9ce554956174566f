import { Controller, Get, Injectable, Module, Param, ParseIntPipe } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InjectSession, type Session } from 'nestjs-advanced-alchemy';
import { benchDataSourceOptions } from '../data-source-options';
import { Item } from '../item.entity';
import { createBenchApp } from './items-api';
import { oursAlchemyModule } from './ours';
import type { Variant } from './variant';

// Requests held in flight: each one enters its handler (ours: with its session made and its
// response gated) and waits until the bench says `release`, then reads its row. The bench asks
// for the count in flight, and the memory, while all of them wait.
let inFlight = 0;
let release!: () => void;
const released = new Promise<void>((resolve) => (release = resolve));
process.on('message', (message: { command: string }) => {
  if (message.command === 'release') release();
  else if (message.command === 'in-flight') process.send?.({ inFlight });
});

async function held<T>(work: () => Promise<T>): Promise<T> {
  inFlight++;
  await released;
  try {
    return await work();
  } finally {
    inFlight--;
  }
}

export function slowVariant(kind: 'manual' | 'ours'): Variant {
  return {
    name: `${kind}-slow`,
    hasItems: true,
    async createApp(connectionString) {
      if (kind === 'manual') {
        const dataSource = await new DataSource(benchDataSourceOptions(connectionString)).initialize();
        @Controller('slow')
        class ManualController {
          @Get(':id') get(@Param('id', ParseIntPipe) id: number) {
            return held(() => dataSource.transaction((manager) => manager.getRepository(Item).findOneBy({ id })));
          }
        }
        @Module({ controllers: [ManualController] })
        class ManualModule {}
        return createBenchApp(ManualModule);
      }
      @Injectable()
      class ItemsService {
        constructor(@InjectSession() private readonly session: Session) {}
        get(id: number) {
          const items = this.session.getRepository(Item);
          return held(() => items.findOneBy({ id }));
        }
      }
      @Controller('slow')
      class OursController {
        constructor(private readonly items: ItemsService) {}
        @Get(':id') get(@Param('id', ParseIntPipe) id: number) {
          return this.items.get(id);
        }
      }
      @Module({
        imports: [oursAlchemyModule(connectionString)],
        controllers: [OursController],
        providers: [ItemsService],
      })
      class OursModule {}
      return createBenchApp(OursModule);
    },
  };
}
