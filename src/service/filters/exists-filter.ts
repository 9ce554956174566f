import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import type { RelationMetadata } from 'typeorm/metadata/RelationMetadata';
import { InvalidFilterError } from '../../errors/invalid-filter.error';
import { describeField, FilterContext } from './filter-context';
import { WhereFilter, type SqlCondition } from './statement-filter';

let subquerySequence = 0;

/**
 * Rows with at least one related row (through `relation`, a relation's name such as `loans` or
 * `author`) matching `filters` (none: any related row). Soft-deleted related rows do not count.
 * Many-to-many relations are not supported (an `InvalidFilterError` says so).
 *
 * ```ts
 * books.list(new ExistsFilter('loans', [new NullFilter('returnedAt')])); // books on loan now
 * ```
 */
export class ExistsFilter extends WhereFilter {
  protected readonly negated: boolean = false;

  constructor(
    readonly relation: string,
    readonly filters: readonly WhereFilter[] = [],
  ) {
    super();
  }

  toCondition(context: FilterContext): SqlCondition {
    const relation = context.metadata.relations.find((candidate) => candidate.propertyPath === this.relation);
    if (!relation) {
      const known = context.metadata.relations.map((candidate) => candidate.propertyPath);
      throw new InvalidFilterError(
        `Cannot test ${describeField(this.relation)}: ${context.metadata.name} has no such relation. ` +
          `Relations: ${known.length > 0 ? known.join(', ') : 'none'}.`,
      );
    }
    if (relation.isManyToMany) {
      throw new InvalidFilterError(
        `${describeField(this.relation)} is many-to-many, which ExistsFilter does not support.`,
      );
    }
    if (!Array.isArray(this.filters) || this.filters.some((filter) => !(filter instanceof WhereFilter))) {
      throw new InvalidFilterError('ExistsFilter takes row filters only (not LimitOffset or OrderBy).');
    }
    const related = relation.inverseEntityMetadata;
    const alias = `aa_exists_${++subquerySequence}`;
    const inner = new FilterContext(related, context.driver, alias);
    const escape = (name: string) => context.driver.escape(name);
    const outerTable = context.metadata.tablePath.split('.').map(escape).join('.');
    const outer = (column: ColumnMetadata) =>
      context.alias === undefined ? `${outerTable}.${escape(column.databaseName)}` : context.columnSql(column);
    const conditions = joinConditions(relation).map(
      ({ ours, theirs }) => `${inner.columnSql(theirs)} = ${outer(ours)}`,
    );
    if (related.deleteDateColumn) conditions.push(`${inner.columnSql(related.deleteDateColumn)} IS NULL`);
    const parameters: Record<string, unknown> = {};
    for (const filter of this.filters) {
      const condition = filter.toCondition(inner);
      if (!condition) continue;
      conditions.push(`(${condition.sql})`);
      Object.assign(parameters, condition.parameters);
    }
    const table = related.tablePath.split('.').map(escape).join('.');
    const sql = `${this.negated ? 'NOT ' : ''}EXISTS (SELECT 1 FROM ${table} ${escape(alias)} WHERE ${conditions.join(' AND ')})`;
    return { sql, parameters };
  }
}

/** Rows with no related row matching `filters` (see `ExistsFilter`). */
export class NotExistsFilter extends ExistsFilter {
  protected override readonly negated: boolean = true;
}

/** Pairs of (our column, the related table's column) that tie a row to its related rows. */
function joinConditions(relation: RelationMetadata): Array<{ ours: ColumnMetadata; theirs: ColumnMetadata }> {
  if (relation.isOwning) {
    // Many-to-one, or the owning side of a one-to-one: our join columns hold their keys.
    return relation.joinColumns.map((column) => ({ ours: column, theirs: column.referencedColumn as ColumnMetadata }));
  }
  const inverse = relation.inverseRelation;
  if (!inverse) throw new InvalidFilterError(`${relation.propertyPath} has no inverse side to join on.`);
  return inverse.joinColumns.map((column) => ({ ours: column.referencedColumn as ColumnMetadata, theirs: column }));
}
