import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import {
  ApiListQuery,
  CollectionFilter,
  ListQuery,
  type ListQueryOptions,
  type OffsetPagination,
  type StatementFilter,
} from 'nestjs-advanced-alchemy';
import { AuditEntry } from './audit-entry.entity';
import { AuditLogService } from './audit-log.service';

const LIST_QUERY: ListQueryOptions = {
  orderByFields: ['createdAt', 'action'],
  defaultOrderBy: 'createdAt',
  defaultSortOrder: 'desc',
};

@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(private readonly log: AuditLogService) {}

  @Get()
  @ApiListQuery(LIST_QUERY)
  @ApiQuery({ name: 'action', required: false, example: 'book.created' })
  @ApiQuery({ name: 'subjectId', required: false })
  @ApiOkResponse({ description: 'A page of audit entries, newest first by default.' })
  async list(
    @ListQuery(LIST_QUERY)
    filters: StatementFilter[],
    @Query('action') action?: string,
    @Query('subjectId') subjectId?: string,
  ): Promise<OffsetPagination<AuditEntry>> {
    if (action !== undefined) filters.push(new CollectionFilter('action', [action]));
    if (subjectId !== undefined) filters.push(new CollectionFilter('subjectId', [subjectId]));
    const [items, total] = await this.log.listAndCount(...filters);
    return this.log.toSchema(items, total, filters);
  }
}
