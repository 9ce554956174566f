import { Controller, Get, Injectable, Module, Param, ParseIntPipe, Post } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AdvancedAlchemy, AdvancedAlchemyModule } from 'nestjs-advanced-alchemy';
import { benchDataSourceOptions } from '../data-source-options';
import { Item } from '../item.entity';
import { createBenchApp } from './items-api';
import type { Variant } from './variant';

/** The scaling bench passes one connection string per bind key, joined with `|`. */
const connectionStringsOf = (joined: string): string[] => joined.split('|');

/**
 * A request that touches every one of N databases: POST inserts a row in each, GET reads one from
 * each. `manual` runs one `dataSource.transaction()` per database; `ours` one session per bind key,
 * all committed by the module when the response is decided.
 */
export function multiBindVariant(kind: 'manual' | 'ours'): Variant {
  return {
    name: `${kind}-binds`,
    hasItems: true,
    async createApp(joined) {
      const connectionStrings = connectionStringsOf(joined);
      if (kind === 'manual') {
        const dataSources = await Promise.all(
          connectionStrings.map((connectionString) =>
            new DataSource(benchDataSourceOptions(connectionString)).initialize(),
          ),
        );
        @Controller('items')
        class ManualController {
          @Post() async create() {
            for (const dataSource of dataSources) {
              await dataSource.transaction((manager) => manager.getRepository(Item).save({ name: 'bench item' }));
            }
            return { ok: true };
          }
          @Get(':id') async get(@Param('id', ParseIntPipe) id: number) {
            const rows = [];
            for (const dataSource of dataSources) {
              rows.push(await dataSource.transaction((manager) => manager.getRepository(Item).findOneBy({ id })));
            }
            return rows;
          }
        }
        @Module({ controllers: [ManualController] })
        class ManualModule {}
        return createBenchApp(ManualModule);
      }
      const bindKeys = connectionStrings.map((_, index) => `db${index}`);
      @Injectable()
      class ItemsService {
        constructor(private readonly alchemy: AdvancedAlchemy) {}
        async create() {
          for (const bindKey of bindKeys)
            await this.alchemy.getSession(bindKey).getRepository(Item).save({ name: 'bench item' });
          return { ok: true };
        }
        async get(id: number) {
          const rows = [];
          for (const bindKey of bindKeys)
            rows.push(await this.alchemy.getSession(bindKey).getRepository(Item).findOneBy({ id }));
          return rows;
        }
      }
      @Controller('items')
      class OursController {
        constructor(private readonly items: ItemsService) {}
        @Post() create() {
          return this.items.create();
        }
        @Get(':id') get(@Param('id', ParseIntPipe) id: number) {
          return this.items.get(id);
        }
      }
      @Module({
        imports: [
          AdvancedAlchemyModule.forRoot(
            connectionStrings.map((connectionString, index) => ({
              bindKey: bindKeys[index],
              connectionString,
              entities: [Item],
              commitMode: 'autocommit' as const,
              engineConfig: connectionString.startsWith('sqlite') ? {} : { poolSize: 10 },
            })),
          ),
        ],
        controllers: [OursController],
        providers: [ItemsService],
      })
      class OursModule {}
      return createBenchApp(OursModule);
    },
  };
}
