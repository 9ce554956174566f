import type { InjectionToken, ModuleMetadata, OptionalFactoryDependency, Provider, Type } from '@nestjs/common';
import type { TypeOrmOptionsFactory } from '@nestjs/typeorm';
import type { DataSource, DataSourceOptions } from 'typeorm';
import type { AlchemyConfigOptions } from '../config/alchemy-config';
import { normalizeConfigs } from '../config/normalize-configs';
import type { TypeOrmShapedConfigOptions } from '../config/typeorm-shaped-options';
import { ImproperConfigurationError } from '../errors/improper-configuration.error';

/** One database's configuration: the module's own options, or `@nestjs/typeorm`'s as they are. */
export type AlchemyConfigInput = AlchemyConfigOptions | TypeOrmShapedConfigOptions;

/** What `forRootAsync`'s factory (function or class) returns. */
export type AlchemyConfigResult = AlchemyConfigInput | AlchemyConfigInput[];

/** A class that makes the configuration, for `forRootAsync({ useClass })` / `useExisting`. */
export interface AdvancedAlchemyOptionsFactory {
  createAdvancedAlchemyOptions(): AlchemyConfigResult | Promise<AlchemyConfigResult>;
}

export interface AsyncConfigSource {
  imports?: ModuleMetadata['imports'];
  inject?: Array<InjectionToken | OptionalFactoryDependency>;
  /**
   * The bind key this registration declares (`@nestjs/typeorm`'s `name` of `forRootAsync`), known
   * before the factory runs, so its `@nestjs/typeorm` tokens exist for every module from the start.
   */
  name?: string;
  /** The same as `name`, in the module's own words. */
  bindKey?: string;
  useFactory?: (...dependencies: never[]) => AlchemyConfigResult | Promise<AlchemyConfigResult>;
  /** A class with `createAdvancedAlchemyOptions()` or `@nestjs/typeorm`'s `createTypeOrmOptions()`, made for this module. */
  useClass?: Type<AdvancedAlchemyOptionsFactory | TypeOrmOptionsFactory>;
  /** The same, taken from a provider of an imported module. */
  useExisting?: Type<AdvancedAlchemyOptionsFactory | TypeOrmOptionsFactory>;
  /** `@nestjs/typeorm`'s `dataSourceFactory`: builds the DataSource from the options (`createDataSource`). */
  dataSourceFactory?: (options?: DataSourceOptions) => Promise<DataSource> | DataSource;
  /** More providers for the factory to inject (as `@nestjs/typeorm`'s option of that name). */
  extraProviders?: Provider[];
}

/** The providers that resolve a `forRootAsync` registration's configs under `token`. */
export function asyncConfigProviders(options: AsyncConfigSource, token: symbol, id: number): Provider[] {
  const name = checkName(options);
  const finish = async (result: unknown) => normalizeConfigs(withName(result, name, options.dataSourceFactory));
  if (options.useFactory) {
    const useFactory = options.useFactory as (...dependencies: unknown[]) => unknown;
    return [
      {
        provide: token,
        useFactory: async (...dependencies: unknown[]) => finish(await useFactory(...dependencies)),
        inject: options.inject ?? [],
      },
    ];
  }
  const factoryClass = options.useClass ?? options.useExisting;
  if (!factoryClass) {
    throw new ImproperConfigurationError(
      'AdvancedAlchemyModule.forRootAsync needs useFactory, useClass or useExisting: e.g. ' +
        'forRootAsync({ imports: [ConfigModule], inject: [ConfigService], useFactory: (config) => ({ … }) }).',
    );
  }
  const factoryToken = options.useClass ? Symbol(`nestjs-advanced-alchemy:options-factory:${id}`) : factoryClass;
  const providers: Provider[] = [
    {
      provide: token,
      useFactory: async (factory: Partial<AdvancedAlchemyOptionsFactory & TypeOrmOptionsFactory>) => {
        if (typeof factory.createAdvancedAlchemyOptions === 'function') {
          return finish(await factory.createAdvancedAlchemyOptions());
        }
        if (typeof factory.createTypeOrmOptions === 'function') return finish(await factory.createTypeOrmOptions(name));
        throw new ImproperConfigurationError(
          `${factoryClass.name}, the options factory of AdvancedAlchemyModule.forRootAsync, has neither ` +
            'createAdvancedAlchemyOptions() nor createTypeOrmOptions(): add one that returns the configuration.',
        );
      },
      inject: [factoryToken],
    },
  ];
  if (options.useClass) providers.push({ provide: factoryToken, useClass: options.useClass });
  return providers;
}

function checkName(options: AsyncConfigSource): string | undefined {
  if (options.name !== undefined && options.bindKey !== undefined && options.name !== options.bindKey) {
    throw new ImproperConfigurationError(
      `AdvancedAlchemyModule.forRootAsync got name "${options.name}" and bindKey "${options.bindKey}": they are ` +
        'the same thing (the data source name is the bind key). Keep one of them.',
    );
  }
  const name = options.name ?? options.bindKey;
  if (name !== undefined && (typeof name !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(name))) {
    throw new ImproperConfigurationError(
      `AdvancedAlchemyModule.forRootAsync: name must be a non-empty name of letters, digits, "_", "." or "-" ` +
        `(got ${JSON.stringify(name)}).`,
    );
  }
  return name;
}

/** Gives the factory's config the name said outside the factory (and the `dataSourceFactory` said there). */
function withName(
  result: unknown,
  name: string | undefined,
  dataSourceFactory: AsyncConfigSource['dataSourceFactory'],
): unknown {
  if (name === undefined && dataSourceFactory === undefined) return result;
  const list = Array.isArray(result) ? result : [result];
  if (list.length !== 1 || typeof list[0] !== 'object' || list[0] === null) {
    if (name === undefined) return result;
    throw new ImproperConfigurationError(
      `AdvancedAlchemyModule.forRootAsync({ name: '${name}' }): the factory must return one configuration for that ` +
        'bind key (register other bind keys with a forRootAsync of their own).',
    );
  }
  const config = { ...(list[0] as Record<string, unknown>) };
  if (name !== undefined) {
    const inner = config.bindKey ?? config.name;
    if (inner !== undefined && inner !== name) {
      throw new ImproperConfigurationError(
        `AdvancedAlchemyModule.forRootAsync({ name: '${name}' }): its factory returned a configuration named ` +
          `"${String(inner)}". The name outside the factory is the bind key; drop the inner one or make them equal.`,
      );
    }
    if ('type' in config) config.name = name;
    else config.bindKey = name;
  }
  if (
    dataSourceFactory !== undefined &&
    config.createDataSource === undefined &&
    config.dataSourceFactory === undefined
  ) {
    config.createDataSource = dataSourceFactory;
  }
  return config;
}
