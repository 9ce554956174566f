import { Body, Controller, Delete, Get, Injectable, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import request from 'supertest';
import { Column, Entity } from 'typeorm';
import { startServiceHarness, type ServiceHarness } from './fixtures/service-harness';
import {
  AlchemyRepositoryService,
  InjectSession,
  ListQuery,
  RepositoryExceptionFilter,
  UUIDAuditBase,
  type OffsetPagination,
  type Session,
  type StatementFilter,
} from 'nestjs-advanced-alchemy';
import { testDatabaseKinds } from 'nestjs-advanced-alchemy/testing';

// The worked controller of docs/services.md, served for real.

@Entity('svc_articles')
class Article extends UUIDAuditBase {
  @Column({ type: 'varchar', length: 200 }) title!: string;
  @Column({ type: 'text', nullable: true }) body!: string | null;
}

@Injectable()
class ArticleService extends AlchemyRepositoryService<Article> {
  constructor(@InjectSession() session: Session) {
    super(session, Article);
  }
}

class ArticleInput {
  title!: string;
  body?: string | null;
}

@Controller('articles')
class ArticleController {
  constructor(private readonly articles: ArticleService) {}

  @Get() async list(
    @ListQuery({ searchFields: ['title'], orderByFields: ['title', 'createdAt'] }) filters: StatementFilter[],
  ): Promise<OffsetPagination<Article>> {
    const [items, total] = await this.articles.listAndCount(...filters);
    return this.articles.toSchema(items, total, filters);
  }
  @Get(':id') get(@Param('id', ParseUUIDPipe) id: string) {
    return this.articles.get(id);
  }
  @Post() create(@Body() input: ArticleInput) {
    return this.articles.create(input);
  }
  @Patch(':id') update(@Param('id', ParseUUIDPipe) id: string, @Body() input: Partial<ArticleInput>) {
    return this.articles.update(id, input);
  }
  @Delete(':id') remove(@Param('id', ParseUUIDPipe) id: string) {
    return this.articles.delete(id);
  }
}

describe.each(testDatabaseKinds())('the documented CRUD controller on %s', (kind) => {
  let harness: ServiceHarness;
  const http = () => request(harness.app.getHttpServer());

  beforeAll(async () => {
    harness = await startServiceHarness(kind, 'svc_crud', {
      entities: [Article],
      providers: [ArticleService, { provide: APP_FILTER, useClass: RepositoryExceptionFilter }],
      controllers: [ArticleController],
    });
  });
  afterAll(() => harness?.close());

  it('creates, reads, lists, updates and deletes over HTTP, committing each', async () => {
    const created = (await http().post('/articles').send({ title: 'First', body: 'x' }).expect(201)).body;
    await http().post('/articles').send({ title: 'Second' }).expect(201);
    expect(created).toMatchObject({ title: 'First', body: 'x', id: expect.any(String), createdAt: expect.any(String) });
    expect(await harness.probe.count('svc_articles')).toBe(2);

    expect((await http().get(`/articles/${created.id}`).expect(200)).body.title).toBe('First');
    const page = (await http().get('/articles?orderBy=title&sortOrder=desc&limit=1').expect(200)).body;
    expect(page).toMatchObject({ limit: 1, offset: 0, total: 2, items: [{ title: 'Second' }] });

    const updated = (await http().patch(`/articles/${created.id}`).send({ title: 'Renamed' }).expect(200)).body;
    expect(updated).toMatchObject({ title: 'Renamed', body: 'x' });
    expect(await harness.probe.count('svc_articles', 'title = ?', ['Renamed'])).toBe(1);

    expect((await http().delete(`/articles/${created.id}`).expect(200)).body.id).toBe(created.id);
    await http().get(`/articles/${created.id}`).expect(404);
    expect(await harness.probe.count('svc_articles')).toBe(1);
  });
});
