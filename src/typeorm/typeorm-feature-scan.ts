import type { ModulesContainer } from '@nestjs/core';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { registerFeatureEntities, type FeatureEntity } from './feature-entities';

/**
 * Records, for `autoLoadEntities`, the entities `TypeOrmModule.forFeature` registers, per data source
 * name, as `@nestjs/typeorm` does for its own `forRoot`. `@nestjs/typeorm` keeps that list to itself,
 * so each repository provider of a `TypeOrmModule.forFeature` module is asked which entity it builds:
 * its factory is called with a stand-in DataSource that notes the entity and builds nothing.
 */
export function registerTypeOrmFeatureEntities(modules: ModulesContainer): void {
  for (const module of modules.values()) {
    if (module.metatype !== TypeOrmModule) continue;
    for (const wrapper of module.providers.values()) {
      const factory: unknown = wrapper.metatype;
      const inject = wrapper.inject;
      if (typeof factory !== 'function' || !Array.isArray(inject) || inject.length !== 1) continue;
      const bindKey = bindKeyOfToken(inject[0]);
      if (bindKey === undefined) continue;
      const entity = requestedEntity(factory as (dataSource: unknown) => unknown);
      if (entity !== undefined && !isRepositoryClass(entity)) registerFeatureEntities(bindKey, [entity]);
    }
  }
}

/** True for a class that extends `Repository` (a custom repository, not an entity). */
export function isRepositoryClass(target: unknown): boolean {
  return typeof target === 'function' && (target as { prototype?: unknown }).prototype instanceof Repository;
}

function bindKeyOfToken(token: unknown): string | undefined {
  if (token === DataSource || token === getDataSourceToken()) return 'default';
  if (typeof token === 'string' && token.endsWith('DataSource')) return token.slice(0, -'DataSource'.length);
  return undefined;
}

function requestedEntity(factory: (dataSource: unknown) => unknown): FeatureEntity | undefined {
  let requested: FeatureEntity | undefined;
  const note = (entity: FeatureEntity) => {
    requested = entity;
    return {};
  };
  const standIn = {
    entityMetadatas: [],
    options: { type: 'postgres' },
    getRepository: note,
    getTreeRepository: note,
    getMongoRepository: note,
  };
  try {
    factory(standIn);
  } catch {
    // Not a repository factory of @nestjs/typeorm's shape: nothing to learn from it.
  }
  return requested;
}
