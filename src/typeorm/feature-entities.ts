import type { getRepositoryToken } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { AlchemyConfig, EntityList } from '../config/alchemy-config';

/** An entity class or `EntitySchema`, as `@nestjs/typeorm`'s `forFeature` takes them. */
export type FeatureEntity = Parameters<typeof getRepositoryToken>[0];
type Entity = FeatureEntity;

/** Entities named by `AdvancedAlchemyModule.forFeature`, per bind key, in registration order. */
const featureEntities = new Map<string, Entity[]>();

/** Records what a `forFeature` call registers (at import time, before any application starts). */
export function registerFeatureEntities(bindKey: string, entities: readonly Entity[]): void {
  const registered = featureEntities.get(bindKey) ?? [];
  for (const entity of entities) {
    // A class extending Repository is a custom repository, not an entity: it has no table to load.
    const isRepositoryClass =
      typeof entity === 'function' && (entity as { prototype?: unknown }).prototype instanceof Repository;
    if (!isRepositoryClass && !registered.includes(entity)) registered.push(entity);
  }
  featureEntities.set(bindKey, registered);
}

/**
 * The entities a bind key's DataSource is built with: its config's, plus, with `autoLoadEntities`,
 * every entity a `forFeature` call registered for that bind key (as `@nestjs/typeorm` does).
 */
export function entitiesOf(config: AlchemyConfig): EntityList {
  if (!config.autoLoadEntities) return config.entities;
  const own = Array.isArray(config.entities) ? config.entities : Object.values(config.entities);
  const added = (featureEntities.get(config.bindKey) ?? []).filter((entity) => !own.includes(entity));
  return [...own, ...added];
}
