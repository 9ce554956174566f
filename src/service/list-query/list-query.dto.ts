import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsDate,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Min,
} from 'class-validator';
import type { WhereFilter } from '../filters/statement-filter';

const DATE_MESSAGE = { message: '$property must be an ISO 8601 date-time, e.g. 2024-05-01T12:00:00Z' };

/**
 * The list query parameters `@ListQuery()` reads, validated with class-validator:
 * `?limit=&offset=&orderBy=&sortOrder=&searchString=&searchIgnoreCase=&ids=&createdBefore=&createdAfter=&updatedBefore=&updatedAfter=`.
 * `ids` may be repeated or comma-separated; dates are ISO 8601.
 */
export class ListQueryDto {
  // Decorators run bottom-up: the type check first, so a non-number gets one message, not two.
  @IsOptional()
  @Min(1)
  @IsInt({ message: '$property must be a whole number' })
  limit?: number;

  @IsOptional()
  @Min(0)
  @IsInt({ message: '$property must be a whole number' })
  offset?: number;

  @IsOptional()
  @MaxLength(4096)
  @IsString()
  cursor?: string;
  @IsOptional()
  @Matches(/^[A-Za-z_][A-Za-z0-9_.]{0,63}$/, { message: '$property must be a field name' })
  @IsString()
  orderBy?: string;

  @IsOptional()
  @IsIn(['asc', 'desc'])
  sortOrder?: 'asc' | 'desc';

  @IsOptional()
  @MaxLength(200)
  @IsString()
  searchString?: string;

  @IsOptional()
  @IsBoolean({ message: '$property must be true or false' })
  searchIgnoreCase?: boolean;

  @IsOptional()
  @IsNotEmpty({ each: true })
  @IsString({ each: true })
  @ArrayMaxSize(1000)
  @IsArray()
  ids?: string[];

  @IsOptional()
  @IsDate(DATE_MESSAGE)
  createdBefore?: Date;

  @IsOptional()
  @IsDate(DATE_MESSAGE)
  createdAfter?: Date;

  @IsOptional()
  @IsDate(DATE_MESSAGE)
  updatedBefore?: Date;

  @IsOptional()
  @IsDate(DATE_MESSAGE)
  updatedAfter?: Date;
  /** The filters of `fieldFilters` and `filter`, read with the options (not a query parameter itself). */
  fieldFilters?: WhereFilter[];
}
