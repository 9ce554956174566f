import { applyDecorators } from '@nestjs/common';
import { ApiBadRequestResponse, ApiQuery } from '@nestjs/swagger';

/**
 * Documents in the OpenAPI page the query parameters `@ListQuery()` reads. `@ListQuery()` is a
 * custom parameter decorator, which @nestjs/swagger cannot see into, so the list endpoints say it here.
 */
export function ApiListQuery(options: { sortable: string[]; searchable?: string[] }): MethodDecorator {
  const decorators = [
    ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } }),
    ApiQuery({ name: 'offset', required: false, schema: { type: 'integer', minimum: 0, default: 0 } }),
    ApiQuery({ name: 'orderBy', required: false, enum: options.sortable }),
    ApiQuery({ name: 'sortOrder', required: false, enum: ['asc', 'desc'] }),
    ApiBadRequestResponse({ description: 'A query parameter is invalid; `message` lists every problem.' }),
  ];
  if (options.searchable) {
    decorators.push(
      ApiQuery({
        name: 'searchString',
        required: false,
        description: `Text to find in ${options.searchable.join(' or ')} (case-sensitive unless searchIgnoreCase=true).`,
      }),
      ApiQuery({ name: 'searchIgnoreCase', required: false, type: Boolean }),
    );
  }
  return applyDecorators(...decorators);
}
