import type { ColumnType, DataSource } from 'typeorm';
import { dialectOf, type SqlDialect } from '../filters/sql-dialect';

/** Column types to use instead of the declared one on some databases. */
export type DialectColumnTypes = Partial<Record<SqlDialect, ColumnType>>;

// Declaring class → property → types. Keyed by the declaring class, so a subclass that declares the
// column again (to choose its own type) is left alone.
const registry = new Map<object, Map<string, DialectColumnTypes>>();

/**
 * Marks a column to take another type on some databases. TypeORM checks a declared type against
 * every driver, and no one type means the same on all three (`timestamp with time zone` exists on
 * PostgreSQL only; SQLite's AUTOINCREMENT needs exactly `integer`), so the base entities declare a
 * portable type and name the better one per database here.
 */
export function DialectColumnType(types: DialectColumnTypes): PropertyDecorator {
  return (target, propertyKey) => {
    const declaring = target.constructor;
    const properties = registry.get(declaring) ?? new Map<string, DialectColumnTypes>();
    properties.set(String(propertyKey), types);
    registry.set(declaring, properties);
  };
}

/**
 * Gives the marked columns of an initialised DataSource their type for its database. Must run
 * after `initialize()` and before tables are created (`createAll`) or migrations are generated;
 * running it twice changes nothing.
 */
export function applyDialectColumnTypes(dataSource: DataSource): void {
  const dialect = dialectOf(dataSource.driver);
  for (const metadata of dataSource.entityMetadatas) {
    for (const column of metadata.columns) {
      const declaring = typeof column.target === 'function' ? column.target : undefined;
      const type = declaring && registry.get(declaring)?.get(column.propertyName)?.[dialect];
      if (type !== undefined) column.type = type;
    }
  }
}
