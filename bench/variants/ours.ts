import { Controller, Get, Injectable, Module, Param, ParseIntPipe, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AdvancedAlchemyModule, InjectSession, type Session } from 'nestjs-advanced-alchemy';
import { Item } from '../item.entity';
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
      @Controller('items')
      class ItemsController {
        constructor(private readonly items: ItemsService) {}
        @Post() create() {
          return this.items.create('item');
        }
        @Get(':id') get(@Param('id', ParseIntPipe) id: number) {
          return this.items.get(id);
        }
      }
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
      const app = await NestFactory.create(AppModule, { logger: ['error'] });
      app.enableShutdownHooks();
      return app;
    },
  };
}
