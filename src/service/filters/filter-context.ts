import type { DataSource, Driver, EntityMetadata, ObjectLiteral, QueryBuilder } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { InvalidFilterError } from '../../errors/invalid-filter.error';
import { columnKind, type ColumnKind } from './column-kind';
import { dialectOf, type SqlDialect } from './sql-dialect';

/** A field a filter named, found among the entity's columns. */
export interface ResolvedColumn {
  /** The field as the filter named it (a property path such as `title` or `author`). */
  readonly field: string;
  readonly column: ColumnMetadata;
  readonly kind: ColumnKind;
  /** The column as SQL, escaped (and alias-qualified in SELECT statements). */
  readonly sql: string;
}

const fieldsByEntity = new WeakMap<EntityMetadata, Map<string, ColumnMetadata>>();

/**
 * The fields filters may name: every column by property path, and every many-to-one or one-to-one
 * relation with a single join column, by the relation's name (`author` → `authorId`).
 */
export function filterableFields(metadata: EntityMetadata): Map<string, ColumnMetadata> {
  let fields = fieldsByEntity.get(metadata);
  if (fields) return fields;
  fields = new Map();
  for (const column of metadata.columns) {
    if (!column.isVirtual && !column.isVirtualProperty) fields.set(column.propertyPath, column);
  }
  for (const relation of metadata.relations) {
    if (relation.joinColumns.length === 1 && !fields.has(relation.propertyPath)) {
      fields.set(relation.propertyPath, relation.joinColumns[0]);
    }
  }
  fieldsByEntity.set(metadata, fields);
  return fields;
}

/** What a filter needs to turn itself into SQL for one entity: its columns, the dialect, the alias. */
export class FilterContext {
  readonly dialect: SqlDialect;

  constructor(
    readonly metadata: EntityMetadata,
    readonly driver: Driver,
    /** The alias columns are qualified with; undefined in UPDATE/DELETE statements, which have none. */
    readonly alias?: string,
  ) {
    this.dialect = dialectOf(driver);
  }

  /** The context of a query builder made from an entity (`repository.createQueryBuilder('book')`). */
  static of(queryBuilder: QueryBuilder<ObjectLiteral>): FilterContext {
    const main = queryBuilder.expressionMap.mainAlias;
    if (!main?.hasMetadata) {
      throw new InvalidFilterError(
        'Filters apply to query builders made from an entity, e.g. repository.createQueryBuilder("book").',
      );
    }
    const qualified = queryBuilder.expressionMap.queryType === 'select';
    return new FilterContext(main.metadata, queryBuilder.dataSource.driver, qualified ? main.name : undefined);
  }

  /** The context for an entity outside any query builder. */
  static forEntity(dataSource: DataSource, metadata: EntityMetadata, alias?: string): FilterContext {
    return new FilterContext(metadata, dataSource.driver, alias);
  }

  /** Finds a field among the entity's columns; anything else is an `InvalidFilterError` naming the fields that exist. */
  column(field: unknown, purpose = 'filter'): ResolvedColumn {
    const fields = filterableFields(this.metadata);
    const column = typeof field === 'string' ? fields.get(field) : undefined;
    if (!column || typeof field !== 'string') {
      throw new InvalidFilterError(
        `Cannot ${purpose} on ${describeField(field)}: ${this.metadata.name} has no such field. ` +
          `Fields: ${[...fields.keys()].join(', ')}.`,
      );
    }
    return { field, column, kind: columnKind(column, this.driver), sql: this.columnSql(column) };
  }

  /** A column as SQL: `"alias"."column_name"`, or just `"column_name"` without an alias. */
  columnSql(column: ColumnMetadata): string {
    const name = this.driver.escape(column.databaseName);
    return this.alias === undefined ? name : `${this.driver.escape(this.alias)}.${name}`;
  }
}

/** A field name fit for an error message: quoted, shortened, whatever it was. */
export function describeField(field: unknown): string {
  if (typeof field !== 'string') return `a field given as ${typeof field}`;
  const shown = field.length > 64 ? `${field.slice(0, 64)}…` : field;
  return `field ${JSON.stringify(shown)}`;
}
