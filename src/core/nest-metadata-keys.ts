/**
 * The metadata keys Nest's decorators write (`@Module`, `@UseInterceptors`, `@Inject`), which the
 * module reads and extends. Nest exports them only from a file of its own layout, not from its
 * public API: they are written here, and a unit test (nest-metadata-keys.spec.ts) checks them
 * against the installed Nest, so that an upgrade that renames one fails there, not at run time.
 */
export const NEST_METADATA = {
  /** `@Module({ imports })`. */
  moduleImports: 'imports',
  /** `@UseInterceptors(…)` on a class or method. */
  interceptors: '__interceptors__',
  /** `@Inject(token)` on constructor parameters. */
  constructorInjections: 'self:paramtypes',
  /** `@Inject(token)` on properties. */
  propertyInjections: 'self:properties_metadata',
} as const;
