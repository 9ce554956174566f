import { DEFAULT_BIND_KEY } from '../config/alchemy-config';

/** Injection token of the normalised `AlchemyConfig[]`. */
export const ALCHEMY_CONFIGS = Symbol('nestjs-advanced-alchemy:configs');

/** Bind keys named by `@InjectSession`/`@InjectDataSource`, so the module can provide (or reject) them at startup. */
export const requestedBindKeys = new Set<string>([DEFAULT_BIND_KEY]);

/** Injection token of a bind key's TypeORM DataSource (distinct from `@nestjs/typeorm`'s, so both modules can coexist). */
export function getDataSourceToken(bindKey: string = DEFAULT_BIND_KEY): string {
  return `nestjs-advanced-alchemy:DataSource:${bindKey}`;
}

/** Injection token of a bind key's scoped session proxy. */
export function getSessionToken(bindKey: string = DEFAULT_BIND_KEY): string {
  return `nestjs-advanced-alchemy:Session:${bindKey}`;
}
