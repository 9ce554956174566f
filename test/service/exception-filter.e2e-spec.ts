import { Body, Controller, Get, Injectable, Param, Post, Query } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import request from 'supertest';
import { BookService, LIBRARY_ENTITIES, LIBRARY_SERVICES, Label } from './fixtures/library.entities';
import { startServiceHarness, type ServiceHarness } from './fixtures/service-harness';
import {
  AlchemyRepositoryService,
  InjectSession,
  OrderBy,
  RepositoryExceptionFilter,
  type Session,
} from 'nestjs-advanced-alchemy';
import { testDatabaseKinds } from 'nestjs-advanced-alchemy/testing';

@Injectable()
class LabelService extends AlchemyRepositoryService<Label> {
  constructor(@InjectSession() session: Session) {
    super(session, Label);
  }
}

interface BookBody {
  title?: string;
  isbn: string;
  pages: number;
}

@Controller('books')
class BooksController {
  constructor(
    private readonly books: BookService,
    private readonly labels: LabelService,
  ) {}

  @Get('sorted')
  sorted(@Query('by') by: string) {
    return this.books.list(new OrderBy(by));
  }

  @Get('labels')
  countLabels() {
    return this.labels.count();
  }

  @Get(':id')
  get(@Param('id') id: string) {
    return this.books.get(id);
  }

  @Post()
  create(@Body() body: BookBody) {
    return this.books.create(body);
  }

  /** Creates a book, then the one asked for: when the second fails, the first must not stay. */
  @Post('after-another')
  async createAfterAnother(@Body() body: BookBody) {
    await this.books.create({ ...body, isbn: `${body.isbn}-first` });
    return this.books.create(body);
  }
}

const cases = testDatabaseKinds().flatMap((kind) =>
  (['express', 'fastify'] as const).map((http) => [kind, http] as const),
);

describe.each(cases)('RepositoryExceptionFilter on %s over %s', (kind, http) => {
  let harness: ServiceHarness;
  const server = () => harness.app.getHttpServer();

  beforeAll(async () => {
    harness = await startServiceHarness(kind, 'svc_http_errors', {
      entities: LIBRARY_ENTITIES,
      providers: [...LIBRARY_SERVICES, LabelService, { provide: APP_FILTER, useClass: RepositoryExceptionFilter }],
      controllers: [BooksController],
      http,
    });
    await request(server()).post('/books').send({ title: 'Taken', isbn: 'taken', pages: 1 }).expect(201);
  });
  afterAll(() => harness?.close());

  it('NotFoundError is 404 with a JSON body', async () => {
    const response = await request(server()).get('/books/00000000-0000-4000-8000-000000000000').expect(404);
    expect(response.headers['content-type']).toMatch(/application\/json/);
    expect(response.body).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'Book 00000000-0000-4000-8000-000000000000 was not found.',
    });
  });

  it('DuplicateKeyError is 409, and the request rolls back what it wrote before', async () => {
    const response = await request(server())
      .post('/books/after-another')
      .send({ title: 'Again', isbn: 'taken', pages: 2 })
      .expect(409);
    expect(response.body).toEqual({
      statusCode: 409,
      error: 'Conflict',
      message: 'A record matching the supplied data already exists.',
    });
    expect(await harness.probe.count('svc_books', 'isbn = ?', ['taken-first'])).toBe(0);
  });

  it('IntegrityError (a NOT NULL violation) is 422', async () => {
    const response = await request(server()).post('/books').send({ isbn: 'untitled', pages: 1 }).expect(422);
    expect(response.body).toMatchObject({ statusCode: 422, error: 'Unprocessable Entity' });
  });

  it('InvalidFilterError is 400 naming the problem: an unknown field or a malformed id', async () => {
    const unknown = await request(server()).get('/books/sorted?by=password').expect(400);
    expect(unknown.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(unknown.body.message).toContain('"password"');
    await request(server()).get('/books/not-a-uuid').expect(400);
  });

  it('any other RepositoryError is 500 without the database detail', async () => {
    await harness.probe.query('DROP TABLE svc_labels');
    const response = await request(server()).get('/books/labels').expect(500);
    expect(response.body).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'The database could not complete the request.',
    });
  });
});
