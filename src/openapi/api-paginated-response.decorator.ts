import { applyDecorators, type Type } from '@nestjs/common';
import { loadSwagger } from './load-swagger';

/**
 * Documents for @nestjs/swagger a 200 whose body is `OffsetPagination<Entity>`:
 * `{ items: Entity[], limit, offset, total }` — what `listAndCount` returns. `Entity` needs
 * swagger metadata of its own (`@ApiProperty`, or the CLI plugin) to show its fields.
 */
export function ApiPaginatedResponse(entity: Type): MethodDecorator & ClassDecorator {
  const { ApiExtraModels, ApiOkResponse, getSchemaPath } = loadSwagger('ApiPaginatedResponse');
  return applyDecorators(
    ApiExtraModels(entity),
    ApiOkResponse({
      description: `A page of ${entity.name}.`,
      schema: {
        type: 'object',
        required: ['items', 'limit', 'offset', 'total'],
        properties: {
          items: { type: 'array', items: { $ref: getSchemaPath(entity) } },
          limit: { type: 'integer', description: 'The limit applied.' },
          offset: { type: 'integer', description: 'The offset applied.' },
          total: { type: 'integer', description: 'Rows matching the filters, over all pages.' },
        },
      },
    }),
  );
}

/**
 * Documents for @nestjs/swagger a 200 whose body is `CursorPagination<Entity>`:
 * `{ items: Entity[], limit, nextCursor }` — what `listByCursor` returns.
 */
export function ApiCursorPaginatedResponse(entity: Type): MethodDecorator & ClassDecorator {
  const { ApiExtraModels, ApiOkResponse, getSchemaPath } = loadSwagger('ApiCursorPaginatedResponse');
  return applyDecorators(
    ApiExtraModels(entity),
    ApiOkResponse({
      description: `A page of ${entity.name}, by cursor.`,
      schema: {
        type: 'object',
        required: ['items', 'limit', 'nextCursor'],
        properties: {
          items: { type: 'array', items: { $ref: getSchemaPath(entity) } },
          limit: { type: 'integer', description: 'The limit applied.' },
          nextCursor: {
            type: 'string',
            nullable: true,
            description: 'Pass as `cursor` for the next page; null on the last page.',
          },
        },
      },
    }),
  );
}
