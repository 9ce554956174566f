import { applyDecorators, type Type } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiProperty, getSchemaPath } from '@nestjs/swagger';

/**
 * Documents the columns an entity inherits from the library's base entities (`id`, `createdAt`,
 * `updatedAt`), which carry no @nestjs/swagger metadata of their own.
 */
export function ApiBaseColumns(id: 'uuid' | 'integer', audit = true): ClassDecorator {
  return (target) => {
    const prototype = target.prototype as object;
    ApiProperty(id === 'uuid' ? { type: String, format: 'uuid' } : { type: 'integer' })(prototype, 'id');
    if (!audit) return;
    ApiProperty({ type: String, format: 'date-time' })(prototype, 'createdAt');
    ApiProperty({ type: String, format: 'date-time' })(prototype, 'updatedAt');
  };
}

/** A 200 whose body is `OffsetPagination<model>`: `{ items, limit, offset, total }`. */
export function ApiPageResponse(model: Type): MethodDecorator {
  return applyDecorators(
    ApiExtraModels(model),
    ApiOkResponse({
      schema: {
        type: 'object',
        required: ['items', 'limit', 'offset', 'total'],
        properties: {
          items: { type: 'array', items: { $ref: getSchemaPath(model) } },
          limit: { type: 'integer' },
          offset: { type: 'integer' },
          total: { type: 'integer', description: 'Rows matching the filters, over all pages.' },
        },
      },
    }),
  );
}
