import { Injectable, Module } from '@nestjs/common';
import { InjectRepository, TypeOrmModule } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { oursAlchemyModule } from './ours';
import { Item } from '../item.entity';
import { createBenchApp, itemsController } from './items-api';
import type { Variant } from './variant';

/** The work of `ours`, through a `TypeOrmModule.forFeature` repository injected with `@InjectRepository`. */
export function oursInjectRepositoryVariant(): Variant {
  return {
    name: 'ours-inject-repository',
    hasItems: true,
    async createApp(connectionString) {
      @Injectable()
      class ItemsService {
        constructor(@InjectRepository(Item) private readonly items: Repository<Item>) {}
        create(name: string) {
          return this.items.save({ name });
        }
        get(id: number) {
          return this.items.findOneBy({ id });
        }
      }
      const ItemsController = itemsController(ItemsService);
      @Module({
        imports: [oursAlchemyModule(connectionString), TypeOrmModule.forFeature([Item])],
        controllers: [ItemsController],
        providers: [ItemsService],
      })
      class AppModule {}
      return createBenchApp(AppModule);
    },
  };
}
