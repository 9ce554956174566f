import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Injectable, Module } from '@nestjs/common';
import { Args, Field, Int, Mutation, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { InjectSession, type Session } from 'nestjs-advanced-alchemy';
import { GraphQLModule } from '@nestjs/graphql';
import { DataSource } from 'typeorm';
import { benchDataSourceOptions } from '../data-source-options';
import { Item } from '../item.entity';
import { createBenchApp, type ItemsApi } from './items-api';
import { oursAlchemyModule } from './ours';
import type { Variant } from './variant';

@ObjectType('Item')
class ItemModel {
  @Field(() => Int) id!: number;
  @Field() name!: string;
}

/** The GraphQL twin of the REST items API: a mutation that creates, a query that reads. */
function itemsResolver(service: new (...args: never[]) => ItemsApi) {
  @Resolver(() => ItemModel)
  class ItemsResolver {
    constructor(private readonly items: ItemsApi) {}
    @Mutation(() => ItemModel) createItem(@Args('name') name: string) {
      return this.items.create(name);
    }
    @Query(() => ItemModel, { nullable: true }) item(@Args('id', { type: () => Int }) id: number) {
      return this.items.get(id);
    }
  }
  Reflect.defineMetadata('design:paramtypes', [service], ItemsResolver);
  return ItemsResolver;
}

const graphqlModule = () =>
  GraphQLModule.forRoot<ApolloDriverConfig>({ driver: ApolloDriver, autoSchemaFile: true, graphiql: false });

/**
 * Apollo on Express, code first. `ours`: the service uses `@InjectSession()` and the module makes
 * each operation a unit of work (autocommit). `manual`: the service writes `dataSource.transaction()`
 * by hand, as without the module.
 */
export function graphqlVariant(kind: 'ours' | 'manual'): Variant {
  return {
    name: `graphql-${kind}`,
    hasItems: true,
    requests: (readRow) => ({
      write: {
        method: 'POST',
        path: '/graphql',
        body: JSON.stringify({ query: 'mutation { createItem(name: "bench item") { id } }' }),
      },
      read: {
        method: 'POST',
        path: '/graphql',
        body: JSON.stringify({ query: `{ item(id: ${readRow}) { id name } }` }),
      },
    }),
    async createApp(connectionString) {
      if (kind === 'ours') {
        @Injectable()
        class ItemsService implements ItemsApi {
          constructor(@InjectSession() private readonly session: Session) {}
          create(name: string) {
            return this.session.getRepository(Item).save({ name });
          }
          get(id: number) {
            return this.session.getRepository(Item).findOneBy({ id });
          }
        }
        @Module({
          imports: [oursAlchemyModule(connectionString), graphqlModule()],
          providers: [ItemsService, itemsResolver(ItemsService)],
        })
        class AppModule {}
        return createBenchApp(AppModule);
      }
      const dataSource = await new DataSource(benchDataSourceOptions(connectionString)).initialize();
      @Injectable()
      class ItemsService implements ItemsApi {
        create(name: string) {
          return dataSource.transaction((manager) => manager.getRepository(Item).save({ name }));
        }
        get(id: number) {
          return dataSource.transaction((manager) => manager.getRepository(Item).findOneBy({ id }));
        }
      }
      @Module({ imports: [graphqlModule()], providers: [ItemsService, itemsResolver(ItemsService)] })
      class AppModule {}
      return createBenchApp(AppModule);
    },
  };
}
