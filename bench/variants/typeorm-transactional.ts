import { Controller, Get, Injectable, Module, Param, ParseIntPipe, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { addTransactionalDataSource, initializeTransactionalContext, Transactional } from 'typeorm-transactional';
import { benchDataSourceOptions } from '../data-source-options';
import { Item } from '../item.entity';
import type { Variant } from './variant';

/** `typeorm-transactional`'s `@Transactional()` (it patches TypeORM's repositories globally). */
export function typeormTransactionalVariant(): Variant {
  return {
    name: 'typeorm-transactional',
    hasItems: true,
    async createApp(connectionString) {
      initializeTransactionalContext();
      const dataSource = addTransactionalDataSource(new DataSource(benchDataSourceOptions(connectionString)));
      await dataSource.initialize();
      @Injectable()
      class ItemsService {
        @Transactional()
        create(name: string) {
          return dataSource.getRepository(Item).save({ name });
        }
        @Transactional()
        get(id: number) {
          return dataSource.getRepository(Item).findOneBy({ id });
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
      @Module({ controllers: [ItemsController], providers: [ItemsService] })
      class AppModule {}
      const app = await NestFactory.create(AppModule, { logger: ['error'] });
      app.enableShutdownHooks();
      return app;
    },
  };
}
