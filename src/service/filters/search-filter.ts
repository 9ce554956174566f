import { InvalidFilterError } from '../../errors/invalid-filter.error';
import type { FilterContext } from './filter-context';
import { checkText } from './filter-values';
import { literalPattern, textMatchSql } from './like-pattern';
import { WhereFilter, type SqlCondition } from './statement-filter';

/** One `LIKE` per field for `value` taken literally (`%`, `_` and the escape character match themselves). */
function fieldMatches(
  context: FilterContext,
  fields: string | readonly string[],
  value: string,
  ignoreCase: boolean,
  parameterName: string,
): { matches: Array<{ column: string; sql: string }>; parameters: Record<string, unknown> } {
  const names: unknown[] = typeof fields === 'string' ? [fields] : Array.isArray(fields) ? [...fields] : [];
  if (names.length === 0) throw new InvalidFilterError('A search needs at least one field to search in.');
  const text = checkText(value, 'The search value');
  let bound = '';
  const matches = names.map((field) => {
    const resolved = context.column(field, 'search');
    if (resolved.kind !== 'text') {
      throw new InvalidFilterError(`Cannot search in "${resolved.field}": only text fields can be searched.`);
    }
    const match = textMatchSql(
      context.dialect,
      resolved.sql,
      parameterName,
      literalPattern(text, 'contains'),
      ignoreCase,
    );
    bound = match.value;
    return { column: resolved.sql, sql: match.sql };
  });
  return { matches, parameters: { [parameterName]: bound } };
}

/**
 * Rows where any of `fields` contains `value` (case-insensitive with `ignoreCase`). An empty or
 * undefined value restricts nothing.
 */
export class SearchFilter extends WhereFilter {
  constructor(
    readonly fields: string | readonly string[],
    readonly value: string | undefined,
    readonly ignoreCase = false,
  ) {
    super();
  }

  toCondition(context: FilterContext): SqlCondition | undefined {
    const { matches, parameters } = fieldMatches(
      context,
      this.fields,
      this.value ?? '',
      this.ignoreCase,
      this.parameterName(),
    );
    if (this.value === undefined || this.value === '') return undefined;
    return { sql: `(${matches.map((match) => match.sql).join(' OR ')})`, parameters };
  }
}

/**
 * Rows where none of `fields` contains `value`. A field that is NULL contains nothing, so it does
 * not exclude the row. An empty or undefined value restricts nothing.
 */
export class NotInSearchFilter extends WhereFilter {
  constructor(
    readonly fields: string | readonly string[],
    readonly value: string | undefined,
    readonly ignoreCase = false,
  ) {
    super();
  }

  toCondition(context: FilterContext): SqlCondition | undefined {
    const { matches, parameters } = fieldMatches(
      context,
      this.fields,
      this.value ?? '',
      this.ignoreCase,
      this.parameterName(),
    );
    if (this.value === undefined || this.value === '') return undefined;
    const sql = matches.map((match) => `(${match.column} IS NULL OR NOT (${match.sql}))`).join(' AND ');
    return { sql: `(${sql})`, parameters };
  }
}
