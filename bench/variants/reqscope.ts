import {
  Controller,
  Get,
  Injectable,
  Module,
  Param,
  ParseIntPipe,
  Post,
  Scope,
  UseInterceptors,
  type CallHandler,
  type NestInterceptor,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { DataSource, type QueryRunner } from 'typeorm';
import { benchDataSourceOptions } from '../data-source-options';
import { Item } from '../item.entity';
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
      @Controller('items')
      @UseInterceptors(TransactionInterceptor)
      class ItemsController {
        constructor(private readonly items: ItemsService) {}
        @Post() create() {
          return this.items.create('item');
        }
        @Get(':id') get(@Param('id', ParseIntPipe) id: number) {
          return this.items.get(id);
        }
      }
      @Module({ controllers: [ItemsController], providers: [ItemsService, RequestTransaction, TransactionInterceptor] })
      class AppModule {}
      const app = await NestFactory.create(AppModule, { logger: ['error'] });
      app.enableShutdownHooks();
      return app;
    },
  };
}
