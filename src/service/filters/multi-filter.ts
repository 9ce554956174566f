import { InvalidFilterError } from '../../errors/invalid-filter.error';
import { COMPARISON_OPERATORS, ComparisonFilter, type ComparisonOperator } from './comparison-filter';
import type { FilterContext } from './filter-context';
import { FilterGroup } from './filter-group';
import { NotNullFilter, NullFilter } from './null-filter';
import { WhereFilter, type SqlCondition } from './statement-filter';

/** The fields a `MultiFilter` tree may name, each with the operators allowed on it (`true`: all). */
export interface MultiFilterOptions {
  fields: Readonly<Record<string, readonly MultiFilterOperator[] | true>>;
  /** Nesting of `and`/`or` groups allowed. Default 4. */
  maxDepth?: number;
  /** Conditions allowed in one tree. Default 50. */
  maxConditions?: number;
}

/** The operators of a `MultiFilter` leaf: those of `ComparisonFilter`, plus `null` and `notnull` (no value). */
export type MultiFilterOperator = ComparisonOperator | 'null' | 'notnull';

const LEAF_KEYS = new Set(['field', 'op', 'value']);

/**
 * A filter tree a client sends as JSON (one query parameter), checked against an allow-list:
 *
 * ```json
 * { "and": [ { "field": "genre", "op": "in", "value": ["x", "y"] },
 *            { "or": [ { "field": "pages", "op": "gt", "value": 300 }, { "field": "genre", "op": "null" } ] } ] }
 * ```
 *
 * A group is `{ "and": [...] }` or `{ "or": [...] }`; a leaf `{ field, op, value }`. A field or
 * operator outside the allow-list, a malformed node, a tree too deep or too large is an
 * `InvalidFilterError` (400) naming where (`filter.and[1].or[0].field`), raised when the filter is
 * made. Values are bound as parameters like every filter's.
 */
export class MultiFilter extends WhereFilter {
  readonly filter: WhereFilter;

  constructor(tree: unknown, options: MultiFilterOptions) {
    super();
    let parsed = tree;
    if (typeof tree === 'string') {
      try {
        parsed = JSON.parse(tree);
      } catch {
        throw new InvalidFilterError('filter is not valid JSON.');
      }
    }
    const budget = { conditions: options.maxConditions ?? 50 };
    this.filter = parseNode(parsed, 'filter', 0, options, budget);
  }

  toCondition(context: FilterContext): SqlCondition | undefined {
    return this.filter.toCondition(context);
  }
}

function parseNode(
  node: unknown,
  path: string,
  depth: number,
  options: MultiFilterOptions,
  budget: { conditions: number },
): WhereFilter {
  const refuse = (why: string) => new InvalidFilterError(`${path}: ${why}.`);
  if (typeof node !== 'object' || node === null || Array.isArray(node)) {
    throw refuse('must be an object: { "and": [...] }, { "or": [...] } or { "field", "op", "value" }');
  }
  const keys = Object.keys(node);
  if (keys.length === 1 && (keys[0] === 'and' || keys[0] === 'or')) {
    const operator = keys[0];
    if (depth >= (options.maxDepth ?? 4)) throw refuse(`groups may nest ${options.maxDepth ?? 4} deep at most`);
    const members = (node as Record<string, unknown>)[operator];
    if (!Array.isArray(members) || members.length === 0) throw refuse(`"${operator}" must be a non-empty list`);
    return new FilterGroup(
      operator,
      members.map((member, index) => parseNode(member, `${path}.${operator}[${index}]`, depth + 1, options, budget)),
    );
  }
  const unknown = keys.find((key) => !LEAF_KEYS.has(key));
  if (unknown !== undefined || !keys.includes('field') || !keys.includes('op')) {
    throw refuse(
      unknown !== undefined
        ? `unknown key ${JSON.stringify(unknown.slice(0, 32))} (a group has "and" or "or", a condition "field", "op", "value")`
        : 'a condition needs "field" and "op"',
    );
  }
  const { field, op, value } = node as { field: unknown; op: unknown; value?: unknown };
  if (typeof field !== 'string' || !Object.prototype.hasOwnProperty.call(options.fields, field)) {
    throw refuse(
      `${JSON.stringify(String(field).slice(0, 64))} is not a field you may filter on (allowed: ${Object.keys(options.fields).join(', ')})`,
    );
  }
  const allowed = options.fields[field];
  const known: readonly string[] = [...COMPARISON_OPERATORS, 'null', 'notnull'];
  if (
    typeof op !== 'string' ||
    !known.includes(op) ||
    (allowed !== true && !allowed.includes(op as MultiFilterOperator))
  ) {
    const list = allowed === true ? known : allowed;
    throw refuse(
      `operator ${JSON.stringify(String(op).slice(0, 32))} is not allowed on "${field}" (allowed: ${list.join(', ')})`,
    );
  }
  if (--budget.conditions < 0) throw refuse(`a filter may hold ${options.maxConditions ?? 50} conditions at most`);
  if (op === 'null' || op === 'notnull') {
    if (value !== undefined) throw refuse(`"${op}" takes no value`);
    return op === 'null' ? new NullFilter(field) : new NotNullFilter(field);
  }
  if (value === undefined) throw refuse(`"${op}" needs a value`);
  return new ComparisonFilter(field, op as ComparisonOperator, value);
}
