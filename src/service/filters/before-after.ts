import type { FilterContext } from './filter-context';
import { toParameter } from './filter-values';
import { WhereFilter, type SqlCondition } from './statement-filter';

/** A bound of a range: a Date, an ISO 8601 string, or a number for numeric fields; null/undefined for none. */
export type RangeBound = Date | string | number | null | undefined;

/** `field < :before AND field > :after` (or with `<=`/`>=`), leaving out the missing bounds. */
function rangeCondition(
  context: FilterContext,
  field: string,
  parameterName: (index: number) => string,
  bounds: ReadonlyArray<readonly [operator: string, value: RangeBound]>,
): SqlCondition | undefined {
  const resolved = context.column(field);
  const parts: string[] = [];
  const parameters: Record<string, unknown> = {};
  bounds.forEach(([operator, value], index) => {
    if (value === undefined || value === null) return;
    const name = parameterName(index);
    parameters[name] = toParameter(context, resolved, value);
    parts.push(`${resolved.sql} ${operator} :${name}`);
  });
  return parts.length === 0 ? undefined : { sql: parts.join(' AND '), parameters };
}

/** Rows whose field is strictly before `before` and strictly after `after` (either may be left out). */
export class BeforeAfter extends WhereFilter {
  constructor(
    readonly field: string,
    readonly before?: RangeBound,
    readonly after?: RangeBound,
  ) {
    super();
  }

  toCondition(context: FilterContext): SqlCondition | undefined {
    return rangeCondition(context, this.field, (index) => this.parameterName(index), [
      ['<', this.before],
      ['>', this.after],
    ]);
  }
}

/** Rows whose field is on or before `onOrBefore` and on or after `onOrAfter` (bounds included). */
export class OnBeforeAfter extends WhereFilter {
  constructor(
    readonly field: string,
    readonly onOrBefore?: RangeBound,
    readonly onOrAfter?: RangeBound,
  ) {
    super();
  }

  toCondition(context: FilterContext): SqlCondition | undefined {
    return rangeCondition(context, this.field, (index) => this.parameterName(index), [
      ['<=', this.onOrBefore],
      ['>=', this.onOrAfter],
    ]);
  }
}
