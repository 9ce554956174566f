import { Injectable, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  addTransactionalDataSource,
  initializeTransactionalContext,
  StorageDriver,
  Transactional,
} from 'typeorm-transactional';
import { benchDataSourceOptions } from '../data-source-options';
import { Item } from '../item.entity';
import { createBenchApp, itemsController } from './items-api';
import type { Variant } from './variant';

/**
 * `typeorm-transactional`'s `@Transactional()` (it patches TypeORM's repositories globally), with
 * the storage driver its README recommends for current Node: `StorageDriver.AUTO`, which is
 * AsyncLocalStorage on Node ≥ 16. Its default, `CLS_HOOKED`, is kept only for backward
 * compatibility and runs async hooks on every promise.
 */
export function typeormTransactionalVariant(): Variant {
  return {
    name: 'typeorm-transactional',
    hasItems: true,
    async createApp(connectionString) {
      initializeTransactionalContext({ storageDriver: StorageDriver.AUTO });
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
      const ItemsController = itemsController(ItemsService);
      @Module({ controllers: [ItemsController], providers: [ItemsService] })
      class AppModule {}
      return createBenchApp(AppModule);
    },
  };
}
