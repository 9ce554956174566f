import { InvalidFilterError } from '../../errors/invalid-filter.error';
import { BooleanFilter, ChoicesFilter } from '../filters/choices-filter';
import { CollectionFilter, NotInCollectionFilter } from '../filters/collection-filter';
import { MultiFilter } from '../filters/multi-filter';
import type { WhereFilter } from '../filters/statement-filter';
import type { FieldFilterConfig, ListQueryOptions } from './list-query-options';

/** A query parameter a field filter reads, for parsing and for the OpenAPI document alike. */
export interface FieldFilterParameter {
  name: string;
  field: string;
  kind: 'in' | 'notIn' | 'boolean' | 'choices';
  choices?: readonly string[];
  multiple?: boolean;
}

/** The parameters `fieldFilters` asks for: `<field>In`, `<field>NotIn` (lists), `<field>` (boolean or choice). */
export function fieldFilterParameters(options: ListQueryOptions): FieldFilterParameter[] {
  const parameters: FieldFilterParameter[] = [];
  for (const [field, config] of Object.entries(options.fieldFilters ?? {}) as Array<[string, FieldFilterConfig]>) {
    if ('boolean' in config) parameters.push({ name: field, field, kind: 'boolean' });
    else if ('choices' in config) {
      parameters.push({ name: field, field, kind: 'choices', choices: config.choices, multiple: config.multiple });
    } else {
      if (config.in) parameters.push({ name: `${field}In`, field, kind: 'in' });
      if (config.notIn) parameters.push({ name: `${field}NotIn`, field, kind: 'notIn' });
    }
  }
  return parameters;
}

const listOf = (value: unknown): string[] =>
  (Array.isArray(value) ? value : [value]).flatMap((item) =>
    typeof item === 'string' ? item.split(',').map((part) => part.trim()) : [String(item)],
  );

/**
 * The filters of the field parameters and of `filter` (the `MultiFilter` tree) in a query, with a
 * problem message for each bad value (the caller answers 400 listing them).
 */
export function readFieldFilters(
  raw: Record<string, unknown>,
  options: ListQueryOptions,
): { filters: WhereFilter[]; problems: string[] } {
  const filters: WhereFilter[] = [];
  const problems: string[] = [];
  for (const parameter of fieldFilterParameters(options)) {
    const value = raw[parameter.name];
    if (value === undefined) continue;
    switch (parameter.kind) {
      case 'in':
      case 'notIn': {
        const values = listOf(value);
        if (values.length > 1000 || values.some((item) => item === '')) {
          problems.push(`${parameter.name} must be a list of at most 1000 non-empty values`);
        } else {
          filters.push(
            parameter.kind === 'in'
              ? new CollectionFilter(parameter.field, values)
              : new NotInCollectionFilter(parameter.field, values),
          );
        }
        break;
      }
      case 'boolean':
        if (value === 'true' || value === '1') filters.push(new BooleanFilter(parameter.field, true));
        else if (value === 'false' || value === '0') filters.push(new BooleanFilter(parameter.field, false));
        else problems.push(`${parameter.name} must be true or false`);
        break;
      case 'choices': {
        const values = parameter.multiple ? listOf(value) : Array.isArray(value) ? undefined : [String(value)];
        const allowed = parameter.choices ?? [];
        const wrong = values?.find((item) => !allowed.includes(item));
        if (!values) problems.push(`${parameter.name} must be given once`);
        else if (wrong !== undefined) problems.push(`${parameter.name} must be one of: ${allowed.join(', ')}`);
        else filters.push(new ChoicesFilter(parameter.field, allowed, values));
        break;
      }
    }
  }
  if (raw.filter !== undefined) {
    if (!options.multiFilter) problems.push('filter is not supported here');
    else if (typeof raw.filter !== 'string') problems.push('filter must be given once, as JSON');
    else {
      try {
        filters.push(new MultiFilter(raw.filter, options.multiFilter));
      } catch (error) {
        if (!(error instanceof InvalidFilterError)) throw error;
        problems.push(error.message);
      }
    }
  }
  return { filters, problems };
}
