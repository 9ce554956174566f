import { Controller, Get, Injectable, Module, Param, ParseIntPipe, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { benchDataSourceOptions } from '../data-source-options';
import { Item } from '../item.entity';
import type { Variant } from './variant';

/** TypeORM repository calls with no explicit transaction: the floor. */
export function rawVariant(): Variant {
  return {
    name: 'raw',
    hasItems: true,
    async createApp(connectionString) {
      const dataSource = await new DataSource(benchDataSourceOptions(connectionString)).initialize();
      @Injectable()
      class ItemsService {
        create(name: string) {
          return dataSource.getRepository(Item).save({ name });
        }
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
