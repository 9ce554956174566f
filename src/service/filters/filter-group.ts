import { InvalidFilterError } from '../../errors/invalid-filter.error';
import type { FilterContext } from './filter-context';
import { WhereFilter, type SqlCondition } from './statement-filter';

/** How a `FilterGroup` combines its filters. */
export type LogicalOperator = 'and' | 'or';

/**
 * Combines filters with AND or OR, nesting freely. A member that restricts nothing (an undefined
 * `CollectionFilter`, an empty search) makes an OR group restrict nothing and is left out of an
 * AND group; an empty group restricts nothing.
 */
export class FilterGroup extends WhereFilter {
  constructor(
    readonly operator: LogicalOperator,
    readonly filters: readonly WhereFilter[],
  ) {
    super();
  }

  toCondition(context: FilterContext): SqlCondition | undefined {
    if (this.operator !== 'and' && this.operator !== 'or') {
      throw new InvalidFilterError(`A filter group combines with "and" or "or", not ${JSON.stringify(this.operator)}.`);
    }
    if (!Array.isArray(this.filters) || this.filters.some((filter) => !(filter instanceof WhereFilter))) {
      throw new InvalidFilterError('A filter group holds row filters only (not LimitOffset or OrderBy).');
    }
    // Every member is checked, even after one that already makes the group unrestricted.
    const conditions = this.filters.map((filter) => filter.toCondition(context));
    if (conditions.length === 0) return undefined;
    if (this.operator === 'or' && conditions.some((condition) => condition === undefined)) return undefined;
    const present = conditions.filter((condition): condition is SqlCondition => condition !== undefined);
    if (present.length === 0) return undefined;
    return {
      sql: `(${present.map((condition) => `(${condition.sql})`).join(this.operator === 'and' ? ' AND ' : ' OR ')})`,
      parameters: Object.assign({}, ...present.map((condition) => condition.parameters)) as Record<string, unknown>,
    };
  }
}
