import { BadRequestException } from '@nestjs/common';
import { validateSync, type ValidationError } from 'class-validator';
import { BeforeAfter } from '../filters/before-after';
import { CollectionFilter } from '../filters/collection-filter';
import { LimitOffset } from '../filters/limit-offset';
import { CursorPage } from '../pagination/cursor-page';
import { OrderBy } from '../filters/order-by';
import { SearchFilter } from '../filters/search-filter';
import type { StatementFilter } from '../filters/statement-filter';
import { readFieldFilters } from './field-filters';
import { ListQueryDto } from './list-query.dto';
import { DEFAULT_LIMIT, DEFAULT_MAX_LIMIT, type ListQueryOptions } from './list-query-options';

type FieldType = 'integer' | 'text' | 'boolean' | 'list' | 'date';

const FIELDS: Record<Exclude<keyof ListQueryDto, 'fieldFilters'>, FieldType> = {
  limit: 'integer',
  offset: 'integer',
  cursor: 'text',
  orderBy: 'text',
  sortOrder: 'text',
  searchString: 'text',
  searchIgnoreCase: 'boolean',
  ids: 'list',
  createdBefore: 'date',
  createdAfter: 'date',
  updatedBefore: 'date',
  updatedAfter: 'date',
};

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * Reads list query parameters (as Express or Fastify parsed them) into a validated `ListQueryDto`.
 * Anything invalid is a `BadRequestException` (400) listing every problem; other parameters are ignored.
 */
export function parseListQuery(query: unknown, options: ListQueryOptions = {}): ListQueryDto {
  const raw = (typeof query === 'object' && query !== null ? query : {}) as Record<string, unknown>;
  const dto = new ListQueryDto();
  const problems: string[] = [];
  for (const [field, type] of Object.entries(FIELDS) as Array<[keyof typeof FIELDS, FieldType]>) {
    if (!Object.prototype.hasOwnProperty.call(raw, field) || raw[field] === undefined) continue;
    const value = raw[field];
    if (type !== 'list' && Array.isArray(value)) {
      problems.push(`${field} must be given once`);
      continue;
    }
    (dto as Record<string, unknown>)[field] = convert(value, type);
  }
  problems.push(...validateSync(dto, { stopAtFirstError: true }).flatMap(messagesOf));
  const maxLimit = options.maxLimit ?? DEFAULT_MAX_LIMIT;
  if (dto.limit !== undefined && dto.limit > maxLimit) problems.push(`limit must not be greater than ${maxLimit}`);
  if (dto.orderBy !== undefined && options.orderByFields && !options.orderByFields.includes(dto.orderBy)) {
    problems.push(`orderBy must be one of: ${options.orderByFields.join(', ')}`);
  }
  if (dto.searchString && !options.searchFields?.length) problems.push('searchString is not supported here');
  if (options.pagination === 'cursor' && dto.offset !== undefined) {
    problems.push('offset is not supported here: pages follow each other by cursor');
  }
  if (options.pagination !== 'cursor' && dto.cursor !== undefined) problems.push('cursor is not supported here');
  const fields = readFieldFilters(raw, options);
  problems.push(...fields.problems);
  if (problems.length > 0) throw new BadRequestException(problems);
  if (fields.filters.length > 0) dto.fieldFilters = fields.filters;
  return dto;
}

/** The filters a validated list query stands for: always a `LimitOffset` (or `CursorPage`), the rest when given. */
export function listQueryFilters(dto: ListQueryDto, options: ListQueryOptions = {}): StatementFilter[] {
  const maxLimit = options.maxLimit ?? DEFAULT_MAX_LIMIT;
  const limit = dto.limit ?? Math.min(options.defaultLimit ?? DEFAULT_LIMIT, maxLimit);
  const filters: StatementFilter[] = [
    options.pagination === 'cursor'
      ? new CursorPage(limit, dto.cursor, { secret: options.cursorSecret })
      : new LimitOffset(limit, dto.offset ?? 0),
  ];
  const orderBy = dto.orderBy ?? options.defaultOrderBy;
  if (orderBy !== undefined) filters.push(new OrderBy(orderBy, dto.sortOrder ?? options.defaultSortOrder ?? 'asc'));
  if (dto.searchString && options.searchFields?.length) {
    filters.push(new SearchFilter(options.searchFields, dto.searchString, dto.searchIgnoreCase ?? false));
  }
  if (dto.ids !== undefined) filters.push(new CollectionFilter(options.idField ?? 'id', dto.ids));
  if (dto.createdBefore || dto.createdAfter) {
    filters.push(new BeforeAfter(options.createdAtField ?? 'createdAt', dto.createdBefore, dto.createdAfter));
  }
  if (dto.updatedBefore || dto.updatedAfter) {
    filters.push(new BeforeAfter(options.updatedAtField ?? 'updatedAt', dto.updatedBefore, dto.updatedAfter));
  }
  filters.push(...(dto.fieldFilters ?? []));
  return filters;
}

/** A query-string value in the type the DTO expects; left as it is when it does not convert (validation then says why). */
function convert(value: unknown, type: FieldType): unknown {
  if (type === 'list') {
    const items = Array.isArray(value) ? value : [value];
    return items.flatMap((item) => (typeof item === 'string' ? item.split(',') : [item])).map(trimmed);
  }
  if (typeof value !== 'string') return value;
  switch (type) {
    case 'integer':
      return /^[+-]?\d{1,15}$/.test(value.trim()) ? Number(value) : value;
    case 'boolean':
      return value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value;
    case 'date': {
      const date = ISO_DATE_TIME.test(value.trim()) ? new Date(value.trim()) : undefined;
      return date && !Number.isNaN(date.getTime()) ? date : value;
    }
    default:
      return value;
  }
}

function trimmed(value: unknown): unknown {
  return typeof value === 'string' ? value.trim() : value;
}

function messagesOf(error: ValidationError): string[] {
  return [...Object.values(error.constraints ?? {}), ...(error.children ?? []).flatMap(messagesOf)];
}
