import { ApiProperty } from '@nestjs/swagger';

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
