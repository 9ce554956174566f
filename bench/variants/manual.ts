import { Controller, Get, Injectable, Module, Param, ParseIntPipe, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { benchDataSourceOptions } from '../data-source-options';
import { Item } from '../item.entity';
import type { Variant } from './variant';

/** `dataSource.transaction(...)` written by hand in the service: the baseline. */
export function manualVariant(): Variant {
  return {
    name: 'manual',
    hasItems: true,
    async createApp(connectionString) {
      const dataSource = await new DataSource(benchDataSourceOptions(connectionString)).initialize();
      @Injectable()
      class ItemsService {
        create(name: string) {
          return dataSource.transaction((manager) => manager.getRepository(Item).save({ name }));
        }
        get(id: number) {
          return dataSource.transaction((manager) => manager.getRepository(Item).findOneBy({ id }));
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
