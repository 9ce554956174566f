import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import {
  ApiListQuery,
  ApiPaginatedResponse,
  ListQuery,
  type ListQueryOptions,
  type OffsetPagination,
  type StatementFilter,
} from 'nestjs-advanced-alchemy';
import { AuditService } from '../audit/audit.service';
import { Author } from './author.entity';
import { AuthorsService } from './authors.service';
import { CreateAuthorDto, UpdateAuthorDto } from './dto/author.dto';

const SORTABLE = ['name', 'birthYear', 'createdAt'];
const LIST_QUERY: ListQueryOptions = { searchFields: ['name'], orderByFields: SORTABLE, defaultOrderBy: 'name' };

/**
 * CRUD over the repository service. Repository errors become statuses by themselves (the module's
 * RepositoryExceptionFilter): `NotFoundError` 404, a still-referenced author (`ForeignKeyError`) 409.
 * Every change is audited once it has succeeded.
 */
@ApiTags('authors')
@Controller('authors')
export class AuthorsController {
  constructor(
    private readonly authors: AuthorsService,
    private readonly audit: AuditService,
  ) {}

  @Get()
  @ApiListQuery(LIST_QUERY)
  @ApiPaginatedResponse(Author)
  async list(@ListQuery(LIST_QUERY) filters: StatementFilter[]): Promise<OffsetPagination<Author>> {
    const [items, total] = await this.authors.listAndCount(...filters);
    return this.authors.toSchema(items, total, filters);
  }

  @Get(':id')
  @ApiOkResponse({ type: Author })
  @ApiNotFoundResponse()
  get(@Param('id', ParseUUIDPipe) id: string): Promise<Author> {
    return this.authors.get(id);
  }

  @Post()
  @ApiCreatedResponse({ type: Author })
  async create(@Body() dto: CreateAuthorDto): Promise<Author> {
    const author = await this.authors.create(dto);
    await this.audit.record({ action: 'author.created', subjectId: author.id, summary: author.name });
    return author;
  }

  @Patch(':id')
  @ApiOkResponse({ type: Author })
  @ApiNotFoundResponse()
  async update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateAuthorDto): Promise<Author> {
    const author = await this.authors.update(id, dto);
    await this.audit.record({ action: 'author.updated', subjectId: id, summary: Object.keys(dto).join(', ') });
    return author;
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNotFoundResponse()
  @ApiConflictResponse({ description: 'The author still has books.' })
  async remove(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    const author = await this.authors.delete(id);
    await this.audit.record({ action: 'author.deleted', subjectId: id, summary: author.name });
  }
}
