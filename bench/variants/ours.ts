import { Injectable, Module } from '@nestjs/common';
import { AdvancedAlchemyModule, InjectSession, type Session } from 'nestjs-advanced-alchemy';
import { Item } from '../item.entity';
import { createBenchApp, itemsController } from './items-api';
import type { Variant } from './variant';

/** `@InjectSession()` into a singleton service, `autocommit`. */
export function oursVariant(): Variant {
  return {
    name: 'ours',
    hasItems: true,
    async createApp(connectionString) {
      @Injectable()
      class ItemsService {
        constructor(@InjectSession() private readonly session: Session) {}
        create(name: string) {
          return this.session.getRepository(Item).save({ name });
        }
        get(id: number) {
          return this.session.getRepository(Item).findOneBy({ id });
        }
      }
      const ItemsController = itemsController(ItemsService);
      const isSqlite = connectionString.startsWith('sqlite');
      @Module({
        imports: [
          AdvancedAlchemyModule.forRoot({
            connectionString,
            entities: [Item],
            commitMode: 'autocommit',
            engineConfig: isSqlite ? {} : { poolSize: 10 },
          }),
        ],
        controllers: [ItemsController],
        providers: [ItemsService],
      })
      class AppModule {}
      return createBenchApp(AppModule);
    },
  };
}
