import type { Type } from '@nestjs/common';
import { MODULE_METADATA } from '@nestjs/common/constants';
import type { ModulesContainer } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { AlchemyConfig } from '../config/alchemy-config';
import { ImproperConfigurationError } from '../errors/improper-configuration.error';

/**
 * Checks, before any bind key opens, that the application registers the module once and that no
 * other module (`TypeOrmModule.forRoot`) registers a DataSource under a bind key's name.
 */
export function checkRegistrations(
  modules: ModulesContainer,
  rootModule: Type,
  configs: readonly AlchemyConfig[],
): void {
  rejectSecondRegistration(modules, rootModule);
  rejectDataSourceNameClash(modules, rootModule, configs);
  for (const config of configs) {
    if (config.autoLoadEntities && config.dataSource) {
      throw new ImproperConfigurationError(
        `Bind key "${config.bindKey}" sets autoLoadEntities but brings its own dataSource, whose entities are fixed ` +
          'where it was built: list the entities there, or give a connectionString instead of the dataSource.',
      );
    }
  }
}

function rejectSecondRegistration(modules: ModulesContainer, rootModule: Type): void {
  const registrations = [...modules.values()].filter((module) => module.metatype === rootModule).length;
  if (registrations < 2) return;
  const importers = [...modules.values()]
    .filter((module) => declaredImports(module.metatype).some((imported) => registers(imported, rootModule)))
    .map((module) => module.metatype.name);
  const sites = importers.length > 0 ? ` (imported by ${importers.join(' and ')})` : '';
  throw new ImproperConfigurationError(
    `${rootModule.name} is registered ${registrations} times in this application${sites}. ` +
      `Register it once, in the root module, with a list of configs: ${rootModule.name}.forRoot([{ bindKey: 'default', … }, ` +
      `{ bindKey: 'other', … }]); feature modules import ${rootModule.name}.forFeature([Entity, …], bindKey) for their repositories.`,
  );
}

function rejectDataSourceNameClash(
  modules: ModulesContainer,
  rootModule: Type,
  configs: readonly AlchemyConfig[],
): void {
  for (const config of configs) {
    const token = getDataSourceToken(config.bindKey);
    for (const module of modules.values()) {
      if (module.metatype === rootModule) continue;
      const wrapper = module.providers.get(token);
      // The DataSource handed to this bind key is the other module's own: that is adoption, not a clash.
      if (!wrapper || (config.dataSource !== undefined && wrapper.instance === config.dataSource)) continue;
      const owner = module.metatype.name === 'TypeOrmCoreModule' ? 'TypeOrmModule.forRoot' : module.metatype.name;
      throw new ImproperConfigurationError(
        `${owner} registers a DataSource named "${config.bindKey}", and ${rootModule.name} has a bind key of that name ` +
          `with a DataSource of its own: both would answer @InjectDataSource(${config.bindKey === 'default' ? '' : `'${config.bindKey}'`}). ` +
          `Remove ${owner} (${rootModule.name} registers every bind key under @nestjs/typeorm's tokens), ` +
          `or hand its DataSource to the bind key with ${rootModule.name}.forRootAsync({ inject: [getDataSourceToken(` +
          `${config.bindKey === 'default' ? '' : `'${config.bindKey}'`})], useFactory: (dataSource) => ({ dataSource }) }), ` +
          'or give one of them another name.',
      );
    }
  }
}

function declaredImports(metatype: Type): unknown[] {
  return (Reflect.getMetadata(MODULE_METADATA.IMPORTS, metatype) as unknown[] | undefined) ?? [];
}

function registers(imported: unknown, rootModule: Type): boolean {
  return typeof imported === 'object' && imported !== null && (imported as { module?: unknown }).module === rootModule;
}
