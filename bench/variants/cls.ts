import { Injectable, Module } from '@nestjs/common';
import { ClsPluginTransactional, Transactional, TransactionHost } from '@nestjs-cls/transactional';
import { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClsModule } from 'nestjs-cls';
import { DataSource } from 'typeorm';
import { benchDataSourceOptions } from '../data-source-options';
import { Item } from '../item.entity';
import { createBenchApp, itemsController } from './items-api';
import type { Variant } from './variant';

/** `@nestjs-cls/transactional` with its TypeORM adapter, `@Transactional()` on a singleton service. */
export function clsVariant(): Variant {
  return {
    name: 'cls',
    hasItems: true,
    async createApp(connectionString) {
      @Injectable()
      class ItemsService {
        constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}
        @Transactional()
        create(name: string) {
          return this.txHost.tx.getRepository(Item).save({ name });
        }
        @Transactional()
        get(id: number) {
          return this.txHost.tx.getRepository(Item).findOneBy({ id });
        }
      }
      const ItemsController = itemsController(ItemsService);
      @Module({
        imports: [
          TypeOrmModule.forRoot(benchDataSourceOptions(connectionString)),
          ClsModule.forRoot({
            global: true,
            middleware: { mount: true },
            plugins: [
              new ClsPluginTransactional({
                imports: [TypeOrmModule],
                adapter: new TransactionalAdapterTypeOrm({ dataSourceToken: DataSource }),
              }),
            ],
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
