import { InvalidFilterError } from '../../errors/invalid-filter.error';
import type { FilterContext, ResolvedColumn } from './filter-context';
import { toParameter } from './filter-values';
import { MATCH_NOTHING, WhereFilter, type SqlCondition } from './statement-filter';

/** Splits a collection into its null and non-null members, each non-null one checked for the column. */
function bindMembers(
  context: FilterContext,
  resolved: ResolvedColumn,
  values: readonly unknown[],
): { parameters: unknown[]; hasNull: boolean } {
  if (!Array.isArray(values)) throw new InvalidFilterError(`The values for "${resolved.field}" must be a list.`);
  const parameters = values.filter((value) => value !== null).map((value) => toParameter(context, resolved, value));
  return { parameters, hasNull: values.some((value) => value === null) };
}

/**
 * Rows whose field is one of `values` (`field IN (…)`). An empty list matches nothing; `undefined`
 * restricts nothing. A `null` in the list also matches rows where the field is NULL.
 */
export class CollectionFilter<Value = unknown> extends WhereFilter {
  constructor(
    readonly field: string,
    readonly values: readonly (Value | null)[] | undefined,
  ) {
    super();
  }

  toCondition(context: FilterContext): SqlCondition | undefined {
    const resolved = context.column(this.field);
    if (this.values === undefined) return undefined;
    const { parameters, hasNull } = bindMembers(context, resolved, this.values);
    const name = this.parameterName();
    const conditions = [
      ...(parameters.length > 0 ? [`${resolved.sql} IN (:...${name})`] : []),
      ...(hasNull ? [`${resolved.sql} IS NULL`] : []),
    ];
    if (conditions.length === 0) return MATCH_NOTHING;
    return { sql: `(${conditions.join(' OR ')})`, parameters: parameters.length > 0 ? { [name]: parameters } : {} };
  }
}

/**
 * Rows whose field is none of `values`. Unlike SQL's `NOT IN`, rows where the field is NULL are
 * kept (a missing value is not in the list) unless the list itself holds `null`. An empty list or
 * `undefined` restricts nothing.
 */
export class NotInCollectionFilter<Value = unknown> extends WhereFilter {
  constructor(
    readonly field: string,
    readonly values: readonly (Value | null)[] | undefined,
  ) {
    super();
  }

  toCondition(context: FilterContext): SqlCondition | undefined {
    const resolved = context.column(this.field);
    if (this.values === undefined) return undefined;
    const { parameters, hasNull } = bindMembers(context, resolved, this.values);
    const name = this.parameterName();
    if (parameters.length === 0) return hasNull ? { sql: `${resolved.sql} IS NOT NULL`, parameters: {} } : undefined;
    const notIn = `${resolved.sql} NOT IN (:...${name})`;
    const sql = hasNull ? notIn : `(${resolved.sql} IS NULL OR ${notIn})`;
    return { sql, parameters: { [name]: parameters } };
  }
}
