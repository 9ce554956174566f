import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable, Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { benchDataSourceOptions } from '../data-source-options';
import { Item } from '../item.entity';
import { createBenchApp, itemsController } from './items-api';
import type { Variant } from './variant';

/**
 * `dataSource.transaction(...)` written by hand in the service: the baseline. With `asyncContext`,
 * every request also runs in an `AsyncLocalStorage` store of its own, as the module's (and cls's)
 * requests do, and nothing else: what Node's async context alone costs.
 */
export function manualVariant(asyncContext = false): Variant {
  return {
    name: asyncContext ? 'manual+als' : 'manual',
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
      const ItemsController = itemsController(ItemsService);
      const storage = new AsyncLocalStorage<object>();
      @Module({ controllers: [ItemsController], providers: [ItemsService] })
      class AppModule implements NestModule {
        configure(consumer: MiddlewareConsumer) {
          if (!asyncContext) return;
          consumer
            .apply((_request: unknown, _response: unknown, next: () => void) => storage.run({}, next))
            .forRoutes('*path');
        }
      }
      return createBenchApp(AppModule);
    },
  };
}
