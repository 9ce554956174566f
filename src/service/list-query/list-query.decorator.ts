import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { DEFAULT_MAX_LIMIT, type ListQueryOptions } from './list-query-options';
import { listQueryFilters, parseListQuery } from './parse-list-query';

function readListQuery(options: ListQueryOptions | undefined, context: ExecutionContext) {
  const request = context.switchToHttp().getRequest<{ query?: unknown }>();
  return listQueryFilters(parseListQuery(request.query, options), options);
}

const listQueryParameter = createParamDecorator(readListQuery);

/**
 * Injects the filters of a list endpoint's query parameters (see `ListQueryDto`): a
 * `LimitOffset`, and `OrderBy`, `SearchFilter`, `CollectionFilter` on ids and `BeforeAfter` on
 * the audit timestamps when asked for. Bad values are a 400 naming each problem.
 *
 * ```ts
 * @Get() list(@ListQuery({ searchFields: ['title'] }) filters: StatementFilter[]) { … }
 * ```
 */
export function ListQuery(options: ListQueryOptions = {}): ParameterDecorator {
  const maxLimit = options.maxLimit ?? DEFAULT_MAX_LIMIT;
  if (!Number.isSafeInteger(maxLimit) || maxLimit < 1) {
    throw new TypeError(`ListQuery: maxLimit must be a whole number of 1 or more (got ${String(options.maxLimit)}).`);
  }
  if (options.defaultLimit !== undefined && (options.defaultLimit < 1 || options.defaultLimit > maxLimit)) {
    throw new TypeError(`ListQuery: defaultLimit must be between 1 and maxLimit (${maxLimit}).`);
  }
  return listQueryParameter(options);
}
