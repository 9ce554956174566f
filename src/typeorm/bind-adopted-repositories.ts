import type { DiscoveryService } from '@nestjs/core';
import { Repository, type EntityManager } from 'typeorm';
import type { AdvancedAlchemy } from '../core/advanced-alchemy';
import { sessionBoundViews } from './session-bound-data-source';

/**
 * A DataSource handed to a bind key by another module (`TypeOrmModule.forRoot`) keeps that module's
 * repositories (`TypeOrmModule.forFeature`), which work on the DataSource's own manager, outside
 * every session. Each such repository the application holds is pointed at the bind key's
 * session-bound manager, so its writes follow the commit mode like a session's. Only the
 * repository's public `manager` field changes; TypeORM's classes are left as they are.
 */
export function bindAdoptedRepositories(alchemy: AdvancedAlchemy, discovery: DiscoveryService): void {
  const adopted = alchemy.config
    .filter((config) => config.dataSource !== undefined)
    .map((config) => alchemy.bind(config.bindKey));
  if (adopted.length === 0) return;
  const managers = new Map<EntityManager, EntityManager>(
    adopted.map((bind) => [bind.dataSource.manager, sessionBoundViews(bind).manager]),
  );
  for (const wrapper of discovery.getProviders()) {
    const instance: unknown = wrapper.instance;
    if (!(instance instanceof Repository) || instance.queryRunner !== undefined) continue;
    const sessionBound = managers.get(instance.manager);
    if (sessionBound) (instance as { manager: EntityManager }).manager = sessionBound;
  }
}
