import type { Provider } from '@nestjs/common';
import { getDataSourceToken, getEntityManagerToken } from '@nestjs/typeorm';
import { AdvancedAlchemy } from '../core/advanced-alchemy';
import { undeclaredBindKeyPlaceholder } from '../core/undeclared-bind-keys';
import { sessionBoundViews } from './session-bound-data-source';

/**
 * A bind key's DataSource and EntityManager under `@nestjs/typeorm`'s own tokens (the default bind
 * key under `DataSource` and `EntityManager` themselves), both session-bound, so that
 * `@InjectDataSource()`, `@InjectEntityManager()`, `constructor(dataSource: DataSource)` and
 * `TypeOrmModule.forFeature` all work on the module's DataSources.
 */
export function typeOrmTokenProviders(bindKey: string): Provider[] {
  const viewsOf = (alchemy: AdvancedAlchemy) =>
    alchemy.bindKeys.includes(bindKey) ? sessionBoundViews(alchemy.bind(bindKey)) : undefined;
  return [
    {
      provide: getDataSourceToken(bindKey),
      useFactory: (alchemy: AdvancedAlchemy) => viewsOf(alchemy)?.dataSource ?? undeclaredBindKeyPlaceholder(bindKey),
      inject: [AdvancedAlchemy],
    },
    {
      provide: getEntityManagerToken(bindKey),
      useFactory: (alchemy: AdvancedAlchemy) => viewsOf(alchemy)?.manager ?? undeclaredBindKeyPlaceholder(bindKey),
      inject: [AdvancedAlchemy],
    },
  ];
}
