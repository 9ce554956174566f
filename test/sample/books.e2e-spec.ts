import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { createTestDatabase, openProbe, testDatabaseKinds, type TestDatabase } from 'nestjs-advanced-alchemy/testing';
import type { DatabaseProbe } from 'nestjs-advanced-alchemy/testing';
import { AppModule } from '../../sample/src/app.module';
import { configureApp } from '../../sample/src/configure-app';

interface BookRow {
  title: string;
  author: string;
}

// The sample application as `npm start` builds it (same module, same global ValidationPipe), on a
// database of its own per kind. Every check of the table goes through a separate connection, so
// it sees only what the API really committed.
describe.each(testDatabaseKinds())('sample books API on %s', (kind) => {
  let database: TestDatabase;
  let app: INestApplication;
  let probe: DatabaseProbe;

  beforeAll(async () => {
    database = await createTestDatabase(kind, 'sample_books');
    const moduleRef = await Test.createTestingModule({
      imports: [AppModule.forRoot(database.connectionString)],
    }).compile();
    app = configureApp(moduleRef.createNestApplication());
    await app.init();
    probe = await openProbe(database.connectionString);
  });

  afterAll(async () => {
    await probe?.close();
    await app?.close();
    await database?.drop();
  });

  const api = () => request(app.getHttpServer());
  const storedBook = async (id: number) =>
    (await probe.query<BookRow>('SELECT title, author FROM books WHERE id = ?', [id]))[0];

  it('stores a created book before answering 201, and serves it back', async () => {
    const created = await api().post('/books').send({ title: 'Dune', author: 'Frank Herbert' }).expect(201);
    const id = created.body.id as number;
    expect(created.body).toMatchObject({ title: 'Dune', author: 'Frank Herbert' });

    expect(await storedBook(id)).toEqual({ title: 'Dune', author: 'Frank Herbert' });
    const fetched = await api().get(`/books/${id}`).expect(200);
    expect(fetched.body).toMatchObject({ id, title: 'Dune', author: 'Frank Herbert' });
    const listed = await api().get('/books').expect(200);
    expect(listed.body).toEqual(expect.arrayContaining([expect.objectContaining({ id, title: 'Dune' })]));
  });

  it.each([
    ['an empty title', { title: '', author: 'Anonymous' }],
    ['a missing author', { title: 'Untitled' }],
    ['a title longer than its column', { title: 'x'.repeat(201), author: 'Anonymous' }],
    ['a field the DTO does not declare', { title: 'Untitled', author: 'Anonymous', isbn: '978-0' }],
  ])('rejects %s with 400 and writes nothing', async (_case, body) => {
    const before = await probe.count('books');
    const response = await api().post('/books').send(body).expect(400);
    expect(response.body.message).toEqual(expect.any(Array));
    expect(await probe.count('books')).toBe(before);
  });

  it('answers 404 for a book that does not exist, on read, update and delete', async () => {
    const missing = 999_999;
    await api().get(`/books/${missing}`).expect(404);
    await api().patch(`/books/${missing}`).send({ title: 'Ghost' }).expect(404);
    await api().delete(`/books/${missing}`).expect(404);
    expect(await probe.count('books', 'id = ?', [missing])).toBe(0);
  });

  it('stores a partial update and keeps the fields it did not send', async () => {
    const { body } = await api().post('/books').send({ title: 'Emma', author: 'Austen' }).expect(201);
    const updated = await api().patch(`/books/${body.id}`).send({ author: 'Jane Austen' }).expect(200);
    expect(updated.body).toMatchObject({ id: body.id, title: 'Emma', author: 'Jane Austen' });
    expect(await storedBook(body.id)).toEqual({ title: 'Emma', author: 'Jane Austen' });
  });

  it('leaves the row unchanged when an update is invalid', async () => {
    const { body } = await api().post('/books').send({ title: 'Ulysses', author: 'Joyce' }).expect(201);
    await api().patch(`/books/${body.id}`).send({ title: '' }).expect(400);
    expect(await storedBook(body.id)).toEqual({ title: 'Ulysses', author: 'Joyce' });
  });

  it('deletes the row on 204, after which the book is 404', async () => {
    const { body } = await api().post('/books').send({ title: 'Beloved', author: 'Toni Morrison' }).expect(201);
    expect(await probe.count('books', 'id = ?', [body.id])).toBe(1);

    await api().delete(`/books/${body.id}`).expect(204);
    expect(await probe.count('books', 'id = ?', [body.id])).toBe(0);
    await api().get(`/books/${body.id}`).expect(404);
  });
});
