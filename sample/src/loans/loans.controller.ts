import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  ParseEnumPipe,
  ParseIntPipe,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiQuery,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import {
  CollectionFilter,
  ListQuery,
  NotNullFilter,
  NullFilter,
  type ListQueryOptions,
  type OffsetPagination,
  type StatementFilter,
  ApiListQuery,
  ApiPaginatedResponse,
} from 'nestjs-advanced-alchemy';
import { AuditService } from '../audit/audit.service';
import { CreateLoanDto, UpdateLoanDto } from './dto/loan.dto';
import { Loan } from './loan.entity';
import { LoansService } from './loans.service';

const SORTABLE = ['createdAt', 'borrower', 'returnedAt'];
const LIST_QUERY: ListQueryOptions = { searchFields: ['borrower'], orderByFields: SORTABLE };

@ApiTags('loans')
@Controller('loans')
export class LoansController {
  constructor(
    private readonly loans: LoansService,
    private readonly audit: AuditService,
  ) {}

  @Get()
  @ApiListQuery(LIST_QUERY)
  @ApiQuery({
    name: 'open',
    required: false,
    enum: ['true', 'false'],
    description: 'true: not returned yet; false: returned',
  })
  @ApiQuery({ name: 'bookId', required: false, format: 'uuid' })
  @ApiPaginatedResponse(Loan)
  async list(
    @ListQuery(LIST_QUERY) filters: StatementFilter[],
    // Not ParseBoolPipe: the global ValidationPipe (transform: true) has already turned a `boolean`
    // parameter into true/false by then, so `?open=maybe` would pass as false.
    @Query('open', new ParseEnumPipe(['true', 'false'], { optional: true })) open?: 'true' | 'false',
    @Query('bookId', new ParseUUIDPipe({ optional: true })) bookId?: string,
  ): Promise<OffsetPagination<Loan>> {
    if (open !== undefined)
      filters.push(open === 'true' ? new NullFilter('returnedAt') : new NotNullFilter('returnedAt'));
    if (bookId !== undefined) filters.push(new CollectionFilter('bookId', [bookId]));
    const [items, total] = await this.loans.listAndCount(...filters);
    return this.loans.toSchema(items, total, filters);
  }

  @Get(':id')
  @ApiOkResponse({ type: Loan })
  @ApiNotFoundResponse()
  get(@Param('id', ParseIntPipe) id: number): Promise<Loan> {
    return this.loans.get(id);
  }

  @Post()
  @ApiCreatedResponse({ type: Loan })
  @ApiConflictResponse({ description: 'The book is on loan already.' })
  @ApiUnprocessableEntityResponse({ description: 'There is no book with this id.' })
  async lend(@Body() dto: CreateLoanDto): Promise<Loan> {
    const loan = await this.loans.lend(dto);
    await this.audit.record({
      action: 'loan.created',
      subjectId: loan.id,
      summary: `${dto.bookId} to ${dto.borrower}`,
    });
    return loan;
  }

  /** Optimistic locking: the body carries the version read; if the loan has changed since, a 409. */
  @Patch(':id')
  @ApiOkResponse({ type: Loan })
  @ApiNotFoundResponse()
  @ApiConflictResponse({ description: 'The loan was changed since the version sent: read it again.' })
  async change(@Param('id', ParseIntPipe) id: number, @Body() dto: UpdateLoanDto): Promise<Loan> {
    const loan = await this.loans.update(id, dto);
    await this.audit.record({ action: 'loan.updated', subjectId: id, summary: `version ${loan.version}` });
    return loan;
  }

  @Post(':id/return')
  @HttpCode(200)
  @ApiOkResponse({ type: Loan })
  @ApiNotFoundResponse()
  @ApiConflictResponse({ description: 'The loan was returned already.' })
  async giveBack(@Param('id', ParseIntPipe) id: number): Promise<Loan> {
    const loan = await this.loans.giveBack(id);
    await this.audit.record({ action: 'loan.returned', subjectId: id });
    return loan;
  }
}
