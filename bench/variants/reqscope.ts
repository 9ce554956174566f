import { Injectable, Module, Scope, UseInterceptors, type CallHandler, type NestInterceptor } from '@nestjs/common';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { DataSource, type QueryRunner } from 'typeorm';
import { benchDataSourceOptions } from '../data-source-options';
import { Item } from '../item.entity';
import { createBenchApp, itemsController } from './items-api';
import type { Variant } from './variant';

/** A `Scope.REQUEST` provider holding a QueryRunner, committed by an interceptor: the naive Nest way. */
export function reqscopeVariant(): Variant {
  return {
    name: 'reqscope',
    hasItems: true,
    async createApp(connectionString) {
      const dataSource = await new DataSource(benchDataSourceOptions(connectionString)).initialize();
      @Injectable({ scope: Scope.REQUEST })
      class RequestTransaction {
        readonly runner: QueryRunner = dataSource.createQueryRunner();
      }
      @Injectable()
      class TransactionInterceptor implements NestInterceptor {
        constructor(private readonly transaction: RequestTransaction) {}
        intercept(_context: unknown, next: CallHandler): Observable<unknown> {
          const runner = this.transaction.runner;
          return from(
            (async () => {
              await runner.startTransaction();
              try {
                const result = await lastValueFrom(next.handle());
                await runner.commitTransaction();
                return result;
              } catch (error) {
                await runner.rollbackTransaction();
                throw error;
              } finally {
                await runner.release();
              }
            })(),
          );
        }
      }
      @Injectable()
      class ItemsService {
        constructor(private readonly transaction: RequestTransaction) {}
        create(name: string) {
          return this.transaction.runner.manager.getRepository(Item).save({ name });
        }
        get(id: number) {
          return this.transaction.runner.manager.getRepository(Item).findOneBy({ id });
        }
      }
      const ItemsController = itemsController(ItemsService);
      UseInterceptors(TransactionInterceptor)(ItemsController);
      @Module({ controllers: [ItemsController], providers: [ItemsService, RequestTransaction, TransactionInterceptor] })
      class AppModule {}
      return createBenchApp(AppModule);
    },
  };
}
