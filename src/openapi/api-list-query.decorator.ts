import { applyDecorators } from '@nestjs/common';
import { DEFAULT_LIMIT, DEFAULT_MAX_LIMIT, type ListQueryOptions } from '../service/list-query/list-query-options';
import { fieldFilterParameters } from '../service/list-query/field-filters';
import { loadSwagger } from './load-swagger';

const DATE_TIME = { type: 'string', format: 'date-time' } as const;

/**
 * Documents for @nestjs/swagger the query parameters `@ListQuery(options)` reads — a custom
 * parameter decorator, which swagger cannot see into. Give both the same options:
 *
 * ```ts
 * const options = { searchFields: ['title'], orderByFields: ['title', 'createdAt'] };
 * @Get() @ApiListQuery(options) list(@ListQuery(options) filters: StatementFilter[]) { … }
 * ```
 *
 * `searchString`/`searchIgnoreCase` are listed only with `searchFields` (without them `@ListQuery`
 * refuses `searchString`); `orderBy` is an enum of `orderByFields` when given. Adds the 400 answer.
 */
export function ApiListQuery(options: ListQueryOptions = {}): MethodDecorator & ClassDecorator {
  const { ApiQuery, ApiBadRequestResponse } = loadSwagger('ApiListQuery');
  const maxLimit = options.maxLimit ?? DEFAULT_MAX_LIMIT;
  const defaultLimit = options.defaultLimit ?? Math.min(DEFAULT_LIMIT, maxLimit);
  const idField = options.idField ?? 'id';
  const created = options.createdAtField ?? 'createdAt';
  const updated = options.updatedAtField ?? 'updatedAt';
  const decorators = [
    ApiQuery({
      name: 'limit',
      required: false,
      description: 'Rows per page.',
      schema: { type: 'integer', minimum: 1, maximum: maxLimit, default: defaultLimit },
    }),
    options.pagination === 'cursor'
      ? ApiQuery({
          name: 'cursor',
          required: false,
          description: 'The nextCursor of the page before (none for the first page); opaque and signed.',
          schema: { type: 'string', maxLength: 4096 },
        })
      : ApiQuery({
          name: 'offset',
          required: false,
          description: 'Rows to skip.',
          schema: { type: 'integer', minimum: 0, default: 0 },
        }),
    ApiQuery({
      name: 'orderBy',
      required: false,
      description: `The field to sort by${options.defaultOrderBy ? ` (default ${options.defaultOrderBy})` : ''}.`,
      schema: options.orderByFields
        ? { type: 'string', enum: options.orderByFields }
        : { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_.]{0,63}$' },
    }),
    ApiQuery({
      name: 'sortOrder',
      required: false,
      schema: { type: 'string', enum: ['asc', 'desc'], default: options.defaultSortOrder ?? 'asc' },
    }),
    ApiQuery({
      name: 'ids',
      required: false,
      description: `Only the rows whose ${idField} is one of these (repeat the parameter, or separate with commas).`,
      style: 'form',
      explode: true,
      schema: { type: 'array', items: { type: 'string' }, maxItems: 1000 },
    }),
    ApiQuery({
      name: 'createdBefore',
      required: false,
      description: `${created} before this instant.`,
      schema: DATE_TIME,
    }),
    ApiQuery({
      name: 'createdAfter',
      required: false,
      description: `${created} after this instant.`,
      schema: DATE_TIME,
    }),
    ApiQuery({
      name: 'updatedBefore',
      required: false,
      description: `${updated} before this instant.`,
      schema: DATE_TIME,
    }),
    ApiQuery({
      name: 'updatedAfter',
      required: false,
      description: `${updated} after this instant.`,
      schema: DATE_TIME,
    }),
    ApiBadRequestResponse({ description: 'A query parameter is invalid; `message` lists every problem.' }),
  ];
  if (options.searchFields?.length) {
    decorators.push(
      ApiQuery({
        name: 'searchString',
        required: false,
        description: `Text to find in ${options.searchFields.join(' or ')} (case-sensitive unless searchIgnoreCase=true).`,
        schema: { type: 'string', maxLength: 200 },
      }),
      ApiQuery({ name: 'searchIgnoreCase', required: false, schema: { type: 'boolean', default: false } }),
    );
  }
  for (const parameter of fieldFilterParameters(options)) {
    const list = { type: 'array' as const, items: { type: 'string' as const }, maxItems: 1000 };
    const described = {
      in: `Only the rows whose ${parameter.field} is one of these (repeat the parameter, or separate with commas).`,
      notIn: `Only the rows whose ${parameter.field} is none of these.`,
      boolean: `Only the rows whose ${parameter.field} is true / false.`,
      choices: `Only the rows whose ${parameter.field} is ${parameter.multiple ? 'one of these' : 'this'}.`,
    }[parameter.kind];
    const choices = { type: 'string' as const, enum: [...(parameter.choices ?? [])] };
    const schema =
      parameter.kind === 'boolean'
        ? { type: 'boolean' as const }
        : parameter.kind === 'choices'
          ? parameter.multiple
            ? { type: 'array' as const, items: choices }
            : choices
          : list;
    decorators.push(
      ApiQuery({ name: parameter.name, required: false, description: described, style: 'form', explode: true, schema }),
    );
  }
  if (options.multiFilter) {
    const fields = Object.entries(options.multiFilter.fields)
      .map(([field, ops]) => `${field} (${ops === true ? 'any operator' : ops.join(', ')})`)
      .join('; ');
    decorators.push(
      ApiQuery({
        name: 'filter',
        required: false,
        description:
          'A JSON filter tree: {"and": [...]} / {"or": [...]} groups of {"field", "op", "value"} conditions. ' +
          `Fields and operators allowed: ${fields}.`,
        schema: { type: 'string', example: '{"or":[{"field":"title","op":"istartswith","value":"a"}]}' },
      }),
    );
  }
  return applyDecorators(...decorators);
}
