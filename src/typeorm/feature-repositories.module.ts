import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { getRepositoryToken } from '@nestjs/typeorm';
import { AdvancedAlchemy } from '../core/advanced-alchemy';
import { requestedBindKeys } from '../core/tokens';
import { undeclaredBindKeyPlaceholder } from '../core/undeclared-bind-keys';
import { ImproperConfigurationError } from '../errors/improper-configuration.error';
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

/** Per application: the `forFeature` registrations whose bind key no configuration declares. */
const undeclaredFeatures = new WeakMap<AdvancedAlchemy, string[]>();

function featureRepository(alchemy: AdvancedAlchemy, bindKey: string, entity: FeatureEntity): object {
  if (!alchemy.bindKeys.includes(bindKey)) {
    // Let Nest finish wiring: the module then refuses to start, naming every such registration.
    const registrations = undeclaredFeatures.get(alchemy) ?? [];
    registrations.push(`AdvancedAlchemyModule.forFeature([${entityName(entity)}], '${bindKey}')`);
    undeclaredFeatures.set(alchemy, registrations);
    return undeclaredBindKeyPlaceholder(bindKey);
  }
  const views = sessionBoundViews(alchemy.bind(bindKey));
  const dataSource = views.bind.dataSource;
  const isTree = dataSource.hasMetadata(entity) && dataSource.getMetadata(entity).treeType !== undefined;
  return isTree ? views.treeRepository(entity) : views.repository(entity);
}

/** Throws, naming them and the configured bind keys, if a `forFeature` names a bind key no configuration declares. */
export function rejectUndeclaredFeatureKeys(alchemy: AdvancedAlchemy): void {
  const registrations = undeclaredFeatures.get(alchemy);
  if (!registrations) return;
  throw new ImproperConfigurationError(
    `${registrations.join(', ')}: no configuration declares that bind key. Configured bind keys: ` +
      `${alchemy.bindKeys.map((key) => `"${key}"`).join(', ')}. Add a config with that bindKey to ` +
      'AdvancedAlchemyModule.forRoot, or fix the name.',
  );
}

function entityName(entity: FeatureEntity): string {
  return typeof entity === 'function' ? entity.name : String(entity.options.name);
}
