import type { ObjectLiteral, QueryBuilder, SelectQueryBuilder, WhereExpressionBuilder } from 'typeorm';
import { FilterContext } from './filter-context';

/** A WHERE condition: SQL with named parameters (`:name`, `:...name` for lists), values never inlined. */
export interface SqlCondition {
  sql: string;
  parameters: Record<string, unknown>;
}

/** A query builder a WHERE condition can be added to (SELECT, UPDATE or DELETE of an entity). */
export type FilterableQueryBuilder = QueryBuilder<ObjectLiteral> & WhereExpressionBuilder;

/** The condition that no row satisfies. */
export const MATCH_NOTHING: SqlCondition = { sql: '1 = 0', parameters: {} };

/** Anything the repository service accepts as a filter: conditions, ordering, pagination. */
export abstract class StatementFilter {
  /** Adds this filter to a query builder of an entity and returns it. */
  abstract apply<Q extends SelectQueryBuilder<ObjectLiteral>>(queryBuilder: Q): Q;
}

let filterSequence = 0;

/**
 * A filter that restricts rows. Its values are bound as parameters whose names are unique to the
 * filter instance, so any number of filters can share a statement.
 */
export abstract class WhereFilter extends StatementFilter {
  readonly #prefix = `aaf${++filterSequence}`;

  /**
   * The condition for an entity, or undefined when the filter restricts nothing (a missing value).
   * Throws `InvalidFilterError` for an unknown field or a value its column cannot hold.
   */
  abstract toCondition(context: FilterContext): SqlCondition | undefined;

  override apply<Q extends FilterableQueryBuilder>(queryBuilder: Q): Q {
    const condition = this.toCondition(FilterContext.of(queryBuilder));
    if (condition) queryBuilder.andWhere(condition.sql, condition.parameters);
    return queryBuilder;
  }

  /** The name of this instance's `index`-th parameter. */
  protected parameterName(index = 0): string {
    return `${this.#prefix}_${index}`;
  }
}
