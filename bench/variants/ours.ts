import { Injectable, Module, type DynamicModule } from '@nestjs/common';
import {
  AdvancedAlchemyModule,
  InjectSession,
  Transactional,
  type Propagation,
  type Session,
} from 'nestjs-advanced-alchemy';
import { Item } from '../item.entity';
import { createBenchApp, itemsController } from './items-api';
import type { Variant } from './variant';

/**
 * `@InjectSession()` into a singleton service, `autocommit`. With `unit`, the service's methods are
 * `@Transactional({ propagation: unit })`: REQUIRED joins the request's transaction (the cost of a
 * unit alone), NESTED adds a SAVEPOINT / RELEASE round trip per call.
 */
export function oursVariant(
  unit?: Extract<Propagation, 'REQUIRED' | 'NESTED'>,
  /** Another configuration of the module (the `ours+replica` variant's), under another name. */
  other?: Pick<Variant, 'name' | 'runsOn'> & { alchemyModule: (connectionString: string) => DynamicModule },
): Variant {
  return {
    name: other?.name ?? (unit === undefined ? 'ours' : `ours+${unit.toLowerCase()}`),
    hasItems: true,
    runsOn: other?.runsOn,
    async createApp(connectionString) {
      @Injectable()
      class ItemsService {
        constructor(@InjectSession() private readonly session: Session) {}
        create(name: string) {
          return this.session.getRepository(Item).save({ name });
        }
        get(id: number) {
          return this.session.getRepository(Item).findOneBy({ id });
        }
      }
      if (unit !== undefined) {
        // What `@Transactional({ propagation: unit })` on both methods does, with the variant's propagation.
        for (const name of ['create', 'get'] as const) {
          const descriptor = Object.getOwnPropertyDescriptor(ItemsService.prototype, name) as PropertyDescriptor;
          Transactional({ propagation: unit })(ItemsService.prototype, name, descriptor);
          Object.defineProperty(ItemsService.prototype, name, descriptor);
        }
      }
      const ItemsController = itemsController(ItemsService);
      @Module({
        imports: [(other?.alchemyModule ?? oursAlchemyModule)(connectionString)],
        controllers: [ItemsController],
        providers: [ItemsService],
      })
      class AppModule {}
      return createBenchApp(AppModule);
    },
  };
}

/** The module as every `ours…` variant configures it: autocommit, a pool of 10 on the servers. */
export function oursAlchemyModule(connectionString: string): DynamicModule {
  return AdvancedAlchemyModule.forRoot({
    connectionString,
    entities: [Item],
    commitMode: 'autocommit',
    engineConfig: connectionString.startsWith('sqlite') ? {} : { poolSize: 10 },
  });
}
