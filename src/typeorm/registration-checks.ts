import type { Type } from '@nestjs/common';
import type { ModulesContainer } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { AlchemyConfig } from '../config/alchemy-config';
import { ImproperConfigurationError } from '../errors/improper-configuration.error';

/**
 * Checks, before any bind key opens, that no other module (`TypeOrmModule.forRoot`) registers a
 * DataSource under a bind key's name (a bind key registered twice is `rejectRepeatedBindKeys`'s).
 */
export function checkRegistrations(
  modules: ModulesContainer,
  rootModule: Type,
  configs: readonly AlchemyConfig[],
  typeOrmTokenKeys: readonly string[],
): void {
  rejectDataSourceNameClash(modules, rootModule, configs);
  rejectUndeclaredTokenClash(modules, rootModule, configs, typeOrmTokenKeys);
  for (const config of configs) {
    if (config.autoLoadEntities && config.dataSource) {
      throw new ImproperConfigurationError(
        `Bind key "${config.bindKey}" sets autoLoadEntities but brings its own dataSource, whose entities are fixed ` +
          'where it was built: list the entities there, or give a connectionString instead of the dataSource.',
      );
    }
  }
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
      const owner = ownerName(module.metatype);
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

/**
 * `forRootAsync` learns its bind keys only from its factory, so it provides the default bind key's tokens
 * in advance; beside a `TypeOrmModule.forRoot` that does not become a bind key, both would answer them.
 */
function rejectUndeclaredTokenClash(
  modules: ModulesContainer,
  rootModule: Type,
  configs: readonly AlchemyConfig[],
  typeOrmTokenKeys: readonly string[],
): void {
  const declared = new Set(configs.map((config) => config.bindKey));
  for (const key of typeOrmTokenKeys.filter((candidate) => !declared.has(candidate))) {
    const owner = ownerOf(modules, rootModule, getDataSourceToken(key));
    if (!owner) continue;
    const argument = key === 'default' ? '' : `'${key}'`;
    throw new ImproperConfigurationError(
      `${owner} registers a DataSource named "${key}", and ${rootModule.name}.forRootAsync registers the same ` +
        `@nestjs/typeorm tokens for bind key "${key}", which its configs do not declare. Add ` +
        `getDataSourceToken(${argument}) to forRootAsync's inject (then the module leaves those tokens to ${owner}; ` +
        `useFactory may hand that DataSource to a bind key), or register ${rootModule.name} with forRoot.`,
    );
  }
}

function ownerOf(modules: ModulesContainer, rootModule: Type, token: unknown): string | undefined {
  for (const module of modules.values()) {
    if (module.metatype === rootModule || !module.providers.has(token as string)) continue;
    return ownerName(module.metatype);
  }
  return undefined;
}

/** How the user wrote the module that registers a token: `TypeOrmCoreModule` is what `TypeOrmModule.forRoot` imports. */
function ownerName(metatype: Type): string {
  return metatype.name === 'TypeOrmCoreModule' ? 'TypeOrmModule.forRoot' : metatype.name;
}
