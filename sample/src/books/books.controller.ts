import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseArrayPipe,
  ParseIntPipe,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import {
  CollectionFilter,
  ComparisonFilter,
  ListQuery,
  type JsonResponse,
  type ListQueryOptions,
  type OffsetPagination,
  type StatementFilter,
  ApiCursorPaginatedResponse,
  ApiListQuery,
  ApiPaginatedResponse,
  type CursorPagination,
} from 'nestjs-advanced-alchemy';
import { AuditService } from '../audit/audit.service';
import { Book } from './book.entity';
import { BooksService } from './books.service';
import { CreateBookDto, UpdateBookDto } from './dto/book.dto';

const SORTABLE = ['title', 'publishedYear', 'createdAt'];
const LIST_QUERY: ListQueryOptions = {
  searchFields: ['title', 'isbn'],
  orderByFields: SORTABLE,
  defaultOrderBy: 'title',
};
// Keyset pages: no offset and no total, the same cost however deep, steady under concurrent
// inserts. Cursors are signed with CURSOR_SECRET when set (the same on every instance), else with
// a key of this process.
const PAGES_QUERY: ListQueryOptions = {
  ...LIST_QUERY,
  pagination: 'cursor',
  cursorSecret: process.env.CURSOR_SECRET || undefined,
  // ?publishedYearIn=1968,1972 and ?filter={"or":[…]}: a client's own and/or tree over two fields.
  fieldFilters: { publishedYear: { in: true } },
  multiFilter: { fields: { title: ['istartswith', 'eq'], publishedYear: ['eq', 'ge', 'le', 'null'] } },
};

@ApiTags('books')
@Controller('books')
export class BooksController {
  constructor(
    private readonly books: BooksService,
    private readonly audit: AuditService,
  ) {}

  /** `?authorId=` and `?publishedFrom=`/`?publishedTo=` add filters to those of `@ListQuery()`. */
  @Get()
  @ApiListQuery(LIST_QUERY)
  @ApiPaginatedResponse(Book)
  async list(
    @ListQuery(LIST_QUERY)
    filters: StatementFilter[],
    @Query('authorId', new ParseUUIDPipe({ optional: true })) authorId?: string,
    @Query('publishedFrom', new ParseIntPipe({ optional: true })) publishedFrom?: number,
    @Query('publishedTo', new ParseIntPipe({ optional: true })) publishedTo?: number,
  ): Promise<OffsetPagination<Book>> {
    if (authorId !== undefined) filters.push(new CollectionFilter('authorId', [authorId]));
    if (publishedFrom !== undefined) filters.push(new ComparisonFilter('publishedYear', 'ge', publishedFrom));
    if (publishedTo !== undefined) filters.push(new ComparisonFilter('publishedYear', 'le', publishedTo));
    const [items, total] = await this.books.listAndCount(...filters);
    return this.books.toSchema(items, total, filters);
  }

  /** `GET /books/pages?limit=&orderBy=&sortOrder=` then `&cursor=<nextCursor>` for each next page. */
  @Get('pages')
  @ApiListQuery(PAGES_QUERY)
  @ApiCursorPaginatedResponse(Book)
  pages(@ListQuery(PAGES_QUERY) filters: StatementFilter[]): Promise<CursorPagination<Book>> {
    return this.books.listByCursor(...filters);
  }

  @Get(':id')
  @ApiOkResponse({ type: Book })
  @ApiNotFoundResponse()
  get(@Param('id', ParseUUIDPipe) id: string): Promise<Book> {
    return this.books.get(id);
  }

  @Post()
  @ApiCreatedResponse({ type: Book })
  @ApiConflictResponse({ description: 'A book with this ISBN exists.' })
  @ApiUnprocessableEntityResponse({ description: 'There is no author with this id.' })
  async create(@Body() dto: CreateBookDto): Promise<Book> {
    await this.books.assertAuthorsExist([dto.authorId]);
    const book = await this.books.create(dto);
    await this.audit.record({ action: 'book.created', subjectId: book.id, summary: book.title });
    return book;
  }

  /**
   * All or nothing: one INSERT for the lot; a duplicate ISBN anywhere is a 409 and none is stored.
   * Answered with `jsonify`, to send a header besides the 201.
   */
  @Post('batch')
  @ApiBody({ type: [CreateBookDto] })
  @ApiCreatedResponse({ type: [Book], headers: { 'x-created-count': { schema: { type: 'integer' } } } })
  @ApiConflictResponse({ description: 'One of the ISBNs exists already, or appears twice; nothing was stored.' })
  async createMany(
    @Body(new ParseArrayPipe({ items: CreateBookDto, forbidNonWhitelisted: true, whitelist: true }))
    dtos: CreateBookDto[],
  ): Promise<JsonResponse<Book[]>> {
    if (dtos.length === 0) throw new BadRequestException('Send at least one book.');
    await this.books.assertAuthorsExist(dtos.map((dto) => dto.authorId));
    const books = await this.books.createMany(dtos);
    await this.audit.record(
      ...books.map((book) => ({ action: 'book.created', subjectId: book.id, summary: book.title })),
    );
    return this.books.jsonify(books, { statusCode: 201, headers: { 'x-created-count': String(books.length) } });
  }

  @Patch(':id')
  @ApiOkResponse({ type: Book })
  @ApiNotFoundResponse()
  @ApiConflictResponse({ description: 'Another book has this ISBN.' })
  async update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateBookDto): Promise<Book> {
    if (dto.authorId !== undefined) await this.books.assertAuthorsExist([dto.authorId]);
    const book = await this.books.update(id, dto);
    await this.audit.record({ action: 'book.updated', subjectId: id, summary: Object.keys(dto).join(', ') });
    return book;
  }

  /** A soft delete: the book and its loans stay, but lists and reads leave it out until it is restored. */
  @Post(':id/withdraw')
  @HttpCode(200)
  @ApiOkResponse({ type: Book })
  @ApiNotFoundResponse({ description: 'No such book, or withdrawn already.' })
  async withdraw(@Param('id', ParseUUIDPipe) id: string): Promise<Book> {
    const book = await this.books.softDelete(id);
    await this.audit.record({ action: 'book.withdrawn', subjectId: id, summary: book.title });
    return book;
  }

  @Post(':id/restore')
  @HttpCode(200)
  @ApiOkResponse({ type: Book })
  @ApiNotFoundResponse()
  async restore(@Param('id', ParseUUIDPipe) id: string): Promise<Book> {
    const book = await this.books.restore(id);
    await this.audit.record({ action: 'book.restored', subjectId: id, summary: book.title });
    return book;
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNotFoundResponse()
  @ApiConflictResponse({ description: 'The book has loans.' })
  async remove(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    const book = await this.books.delete(id);
    await this.audit.record({ action: 'book.deleted', subjectId: id, summary: book.title });
  }
}
