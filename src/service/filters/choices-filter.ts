import { InvalidFilterError } from '../../errors/invalid-filter.error';
import { describeField, type FilterContext } from './filter-context';
import { toParameter } from './filter-values';
import { MATCH_NOTHING, WhereFilter, type SqlCondition } from './statement-filter';

/**
 * Rows whose field is the chosen value (or one of the chosen values), each of which must be one
 * of `choices`: anything else is an `InvalidFilterError` naming the choices. `undefined` restricts
 * nothing; an empty list matches nothing.
 */
export class ChoicesFilter<Choice extends string | number = string> extends WhereFilter {
  constructor(
    readonly field: string,
    readonly choices: readonly Choice[],
    readonly value: Choice | readonly Choice[] | undefined,
  ) {
    super();
  }

  toCondition(context: FilterContext): SqlCondition | undefined {
    const resolved = context.column(this.field);
    if (this.value === undefined) return undefined;
    const chosen = (Array.isArray(this.value) ? this.value : [this.value]) as unknown[];
    const allowed = this.choices.map(String);
    for (const value of chosen) {
      if (!allowed.includes(String(value))) {
        throw new InvalidFilterError(
          `${describeField(this.field)} must be one of ${allowed.join(', ')} (got ${JSON.stringify(String(value).slice(0, 64))}).`,
        );
      }
    }
    if (chosen.length === 0) return MATCH_NOTHING;
    const name = this.parameterName();
    return {
      sql: `${resolved.sql} IN (:...${name})`,
      parameters: { [name]: chosen.map((value) => toParameter(context, resolved, value)) },
    };
  }
}

/** Rows whose boolean field is `value` (`true`/`false`, or those words); `undefined` restricts nothing. */
export class BooleanFilter extends WhereFilter {
  constructor(
    readonly field: string,
    readonly value: boolean | 'true' | 'false' | undefined,
  ) {
    super();
  }

  toCondition(context: FilterContext): SqlCondition | undefined {
    const resolved = context.column(this.field);
    if (resolved.kind !== 'boolean') {
      throw new InvalidFilterError(`BooleanFilter needs a boolean field; ${describeField(this.field)} is not one.`);
    }
    if (this.value === undefined) return undefined;
    const name = this.parameterName();
    return { sql: `${resolved.sql} = :${name}`, parameters: { [name]: toParameter(context, resolved, this.value) } };
  }
}
