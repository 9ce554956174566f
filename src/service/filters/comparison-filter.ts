import { InvalidFilterError } from '../../errors/invalid-filter.error';
import { describeField, type FilterContext, type ResolvedColumn } from './filter-context';
import { checkText, toDate, toParameter } from './filter-values';
import { literalPattern, parseLikePattern, textMatchSql, type PatternPart } from './like-pattern';
import { MATCH_NOTHING, WhereFilter, type SqlCondition } from './statement-filter';

export const COMPARISON_OPERATORS = [
  'eq',
  'ne',
  'gt',
  'ge',
  'lt',
  'le',
  'in',
  'notin',
  'between',
  'like',
  'ilike',
  'startswith',
  'endswith',
  'istartswith',
  'iendswith',
  'dateeq',
] as const;

/** The operators of `ComparisonFilter`. */
export type ComparisonOperator = (typeof COMPARISON_OPERATORS)[number];

const ORDERING: Partial<Record<ComparisonOperator, string>> = { gt: '>', ge: '>=', lt: '<', le: '<=' };

/**
 * `field <operator> value` with SQL's meaning: `ne`, `notin`, the orderings and the pattern
 * operators never match NULL; `eq null` / `ne null` test for NULL. `in` takes a list (empty:
 * nothing matches), `notin` a list (empty: no restriction), `between` a `[low, high]` pair
 * (inclusive). `like`/`ilike` take a pattern where `%` and `_` are wildcards and `\` escapes;
 * `startswith`/`endswith` take a literal text. `like`, `startswith` and `endswith` are case-sensitive;
 * `istartswith`/`iendswith` ignore case. `dateeq` matches a date or date-time field falling on the
 * given calendar day (`2024-05-01`, UTC).
 */
export class ComparisonFilter extends WhereFilter {
  constructor(
    readonly field: string,
    readonly operator: ComparisonOperator,
    readonly value: unknown,
  ) {
    super();
  }

  toCondition(context: FilterContext): SqlCondition | undefined {
    const resolved = context.column(this.field);
    const operator = this.operator;
    if (!COMPARISON_OPERATORS.includes(operator)) {
      throw new InvalidFilterError(
        `Unknown comparison operator ${JSON.stringify(String(operator).slice(0, 32))}: ` +
          `use one of ${COMPARISON_OPERATORS.join(', ')}.`,
      );
    }
    const name = this.parameterName();
    const bind = (value: unknown): unknown => toParameter(context, resolved, value);
    const ordering = ORDERING[operator];
    if (ordering) return { sql: `${resolved.sql} ${ordering} :${name}`, parameters: { [name]: bind(this.value) } };
    switch (operator) {
      case 'eq':
      case 'ne':
        if (this.value === null)
          return { sql: `${resolved.sql} IS ${operator === 'eq' ? '' : 'NOT '}NULL`, parameters: {} };
        return {
          sql: `${resolved.sql} ${operator === 'eq' ? '=' : '<>'} :${name}`,
          parameters: { [name]: bind(this.value) },
        };
      case 'in':
      case 'notin': {
        const values = this.list().map(bind);
        if (values.length === 0) return operator === 'in' ? MATCH_NOTHING : undefined;
        return {
          sql: `${resolved.sql} ${operator === 'in' ? 'IN' : 'NOT IN'} (:...${name})`,
          parameters: { [name]: values },
        };
      }
      case 'between': {
        const [low, high] = this.pair().map(bind);
        const upper = this.parameterName(1);
        return { sql: `${resolved.sql} BETWEEN :${name} AND :${upper}`, parameters: { [name]: low, [upper]: high } };
      }
      case 'dateeq':
        return this.dayCondition(context, resolved, name);
      default:
        return this.patternCondition(context, resolved, name);
    }
  }

  private patternCondition(context: FilterContext, resolved: ResolvedColumn, name: string): SqlCondition {
    if (resolved.kind !== 'text') {
      throw new InvalidFilterError(`"${this.operator}" needs a text field; ${describeField(this.field)} is not one.`);
    }
    const text = checkText(this.value, `The value for ${describeField(this.field)}`);
    let parts: PatternPart[];
    if (this.operator === 'startswith' || this.operator === 'istartswith') parts = literalPattern(text, 'startsWith');
    else if (this.operator === 'endswith' || this.operator === 'iendswith') parts = literalPattern(text, 'endsWith');
    else parts = parseLikePattern(text);
    const ignoreCase = this.operator === 'ilike' || this.operator === 'istartswith' || this.operator === 'iendswith';
    const match = textMatchSql(context.dialect, resolved.sql, name, parts, ignoreCase);
    return { sql: match.sql, parameters: { [name]: match.value } };
  }

  /** The field on the UTC calendar day of the value: from its midnight (included) to the next (excluded). */
  private dayCondition(context: FilterContext, resolved: ResolvedColumn, name: string): SqlCondition {
    if (resolved.kind !== 'date' && resolved.kind !== 'datetime') {
      throw new InvalidFilterError(`"dateeq" needs a date field; ${describeField(this.field)} is not one.`);
    }
    const day = toDate(this.value, `The value for ${describeField(this.field)}`);
    const start = new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate()));
    const end = new Date(start.getTime() + 86_400_000);
    const upper = this.parameterName(1);
    return {
      sql: `${resolved.sql} >= :${name} AND ${resolved.sql} < :${upper}`,
      parameters: { [name]: toParameter(context, resolved, start), [upper]: toParameter(context, resolved, end) },
    };
  }

  private list(): unknown[] {
    if (!Array.isArray(this.value)) {
      throw new InvalidFilterError(`"${this.operator}" needs a list of values for ${describeField(this.field)}.`);
    }
    return this.value.map((value: unknown) => {
      if (value === null) throw new InvalidFilterError(`"${this.operator}" lists cannot hold null: use NullFilter.`);
      return value;
    });
  }

  private pair(): [unknown, unknown] {
    if (!Array.isArray(this.value) || this.value.length !== 2) {
      throw new InvalidFilterError(`"between" needs a [low, high] pair for ${describeField(this.field)}.`);
    }
    return [this.value[0], this.value[1]];
  }
}
