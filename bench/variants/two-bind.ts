import { Injectable, Module } from '@nestjs/common';
import { AdvancedAlchemyModule, InjectSession, type Session } from 'nestjs-advanced-alchemy';
import { Item } from '../item.entity';
import { createBenchApp, itemsController } from './items-api';
import type { Variant } from './variant';

/** The second database of the two-bind variants: PostgreSQL with max_prepared_transactions > 0. */
export const SECOND_URL_VARIABLE = 'BENCH_TWOPHASE_PG_URL';

/**
 * `ours` writing each item to two bind keys (the run's database and the PostgreSQL database of
 * BENCH_TWOPHASE_PG_URL), with or without `sessionConfig.twophase`: the cost of PREPARE, the decision
 * and COMMIT PREPARED against two plain COMMITs. GET reads the run's database only.
 */
export function twoBindVariant(twophase: boolean): Variant {
  return {
    name: twophase ? 'ours+2bind+twophase' : 'ours+2bind',
    hasItems: true,
    async createApp(connectionString) {
      const second = process.env[SECOND_URL_VARIABLE];
      if (!second) {
        throw new Error(
          `${SECOND_URL_VARIABLE} must name a PostgreSQL database whose server has max_prepared_transactions > 0 ` +
            'for the two-bind variants.',
        );
      }
      @Injectable()
      class ItemsService {
        constructor(
          @InjectSession('default') private readonly main: Session,
          @InjectSession('second') private readonly other: Session,
        ) {}
        async create(name: string) {
          const item = await this.main.getRepository(Item).save({ name });
          await this.other.getRepository(Item).save({ name });
          return item;
        }
        get(id: number) {
          return this.main.getRepository(Item).findOneBy({ id });
        }
      }
      const sessionConfig = { twophase, twophasePrefix: 'bench' };
      @Module({
        imports: [
          AdvancedAlchemyModule.forRoot([
            {
              bindKey: 'default',
              connectionString,
              entities: [Item],
              commitMode: 'autocommit',
              sessionConfig,
              engineConfig: { poolSize: 10 },
            },
            {
              bindKey: 'second',
              connectionString: second,
              entities: [Item],
              createAll: true,
              commitMode: 'autocommit',
              sessionConfig,
              engineConfig: { poolSize: 10 },
            },
          ]),
        ],
        controllers: [itemsController(ItemsService)],
        providers: [ItemsService],
      })
      class AppModule {}
      return createBenchApp(AppModule);
    },
  };
}
