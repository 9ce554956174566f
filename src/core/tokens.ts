import { DEFAULT_BIND_KEY } from '../config/alchemy-config';

/** Injection token of the normalised `AlchemyConfig[]`. */
export const ALCHEMY_CONFIGS = Symbol('nestjs-advanced-alchemy:configs');

/** Bind keys named by `@InjectSession`/`@InjectDataSource`/`forFeature`, so the module can provide (or reject) them at startup. */
export const requestedBindKeys = new Set<string>([DEFAULT_BIND_KEY]);

/**
 * A bind key's DataSource and EntityManager are registered under `@nestjs/typeorm`'s own tokens
 * (the bind key is the data source name), so the two packages' decorators are interchangeable.
 */
export { getDataSourceToken, getEntityManagerToken } from '@nestjs/typeorm';

/** Injection token of a bind key's scoped session proxy. */
export function getSessionToken(bindKey: string = DEFAULT_BIND_KEY): string {
  return `nestjs-advanced-alchemy:Session:${bindKey}`;
}
