import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { getRepositoryToken } from '@nestjs/typeorm';
import type { Repository, ObjectLiteral } from 'typeorm';
import { AdvancedAlchemy } from '../core/advanced-alchemy';
import { requestedBindKeys } from '../core/tokens';
import { registerFeatureEntities, type FeatureEntity } from './feature-entities';
import { sessionBoundViews } from './session-bound-data-source';

/**
 * The module `AdvancedAlchemyModule.forFeature` returns: one session-bound repository per entity,
 * under `@nestjs/typeorm`'s repository tokens, so `@InjectRepository(Entity, bindKey)` finds it.
 * A class of its own (not `AdvancedAlchemyModule`), so a feature import never installs the
 * middleware or opens anything a second time.
 */
@Module({})
export class FeatureRepositoriesModule {
  static register(entities: readonly FeatureEntity[], bindKey: string): DynamicModule {
    registerFeatureEntities(bindKey, entities);
    requestedBindKeys.add(bindKey);
    const providers: Provider[] = entities.map((entity) => ({
      provide: getRepositoryToken(entity, bindKey),
      useFactory: (alchemy: AdvancedAlchemy) => featureRepository(alchemy, bindKey, entity),
      inject: [AdvancedAlchemy],
    }));
    return { module: FeatureRepositoriesModule, providers, exports: providers };
  }
}

function featureRepository(alchemy: AdvancedAlchemy, bindKey: string, entity: FeatureEntity): Repository<ObjectLiteral> {
  const views = sessionBoundViews(alchemy.bind(bindKey));
  const dataSource = views.bind.dataSource;
  const isTree = dataSource.hasMetadata(entity) && dataSource.getMetadata(entity).treeType !== undefined;
  return isTree ? views.treeRepository(entity) : views.repository(entity);
}
