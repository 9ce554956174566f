import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CollectionFilter, ListQuery, type OffsetPagination, type StatementFilter } from 'nestjs-advanced-alchemy';
import { ApiListQuery } from '../common/api-list-query.decorator';
import { AuditEntry } from './audit-entry.entity';
import { AuditLogService } from './audit-log.service';

@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(private readonly log: AuditLogService) {}

  @Get()
  @ApiListQuery({ sortable: ['createdAt', 'action'] })
  @ApiQuery({ name: 'action', required: false, example: 'book.created' })
  @ApiQuery({ name: 'subjectId', required: false })
  @ApiOkResponse({ description: 'A page of audit entries, newest first by default.' })
  async list(
    @ListQuery({ orderByFields: ['createdAt', 'action'], defaultOrderBy: 'createdAt', defaultSortOrder: 'desc' })
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
