import { Injectable, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { benchDataSourceOptions } from '../data-source-options';
import { Item } from '../item.entity';
import { createBenchApp, itemsController } from './items-api';
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
      const ItemsController = itemsController(ItemsService);
      @Module({ controllers: [ItemsController], providers: [ItemsService] })
      class AppModule {}
      return createBenchApp(AppModule);
    },
  };
}
