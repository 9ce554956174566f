import { Column } from 'typeorm';
import { DialectColumnType } from './dialect-column-types';

/**
 * A date-time column holding an instant, with microsecond precision: `timestamp with time zone`
 * on PostgreSQL, `datetime(6)` on MariaDB/MySQL (the module's connections read and write it as
 * UTC) and `datetime` text in UTC on SQLite. Without `applyDialectColumnTypes` (the module applies
 * it), PostgreSQL gets `timestamp without time zone` holding the Node process's local time.
 */
export function UtcTimestampColumn(options: { nullable?: boolean } = {}): PropertyDecorator {
  const column = Column({ type: Date, precision: 6, nullable: options.nullable ?? false });
  const dialect = DialectColumnType({ postgres: 'timestamp with time zone' });
  return (target, propertyKey) => {
    column(target, propertyKey);
    dialect(target, propertyKey);
  };
}
