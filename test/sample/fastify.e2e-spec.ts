import { testDatabaseKinds } from 'nestjs-advanced-alchemy/testing';
import { nextIsbn, useCatalogue } from './fixtures/start-catalogue';

/** Whether a package can be loaded from here (Swagger UI on Fastify needs @fastify/static). */
function isInstalled(name: string): boolean {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}

// The same AppModule on Fastify (`HTTP_ADAPTER=fastify npm start`): the core flow gives the same
// statuses and the same rows as on Express.
describe.each(testDatabaseKinds())('sample catalogue on Fastify on %s', (kind) => {
  const catalogue = useCatalogue(kind, 'sample_fastify', { adapter: 'fastify' });

  const api = () => catalogue().api();
  const auditCount = (action: string, subjectId: string | number) =>
    catalogue().auditRows.count('audit_entries', 'action = ? AND subject_id = ?', [action, String(subjectId)]);

  it('creates an author, books and a loan, lists them, and audits each write', async () => {
    const { body: author } = await api().post('/authors').send({ name: 'Stanisław Lem', birthYear: 1921 }).expect(201);
    const batch = await api()
      .post('/books/batch')
      .send(
        ['Solaris', 'The Cyberiad', 'His Master’s Voice'].map((title) => ({
          title,
          isbn: nextIsbn(),
          authorId: author.id,
        })),
      )
      .expect(201);
    expect(batch.headers['x-created-count']).toBe('3');
    const solaris = (batch.body as Array<{ id: string; title: string }>).find((book) => book.title === 'Solaris')!;
    const { body: loan } = await api().post('/loans').send({ bookId: solaris.id, borrower: 'Kelvin' }).expect(201);

    expect(await catalogue().rows.count('authors', 'id = ?', [author.id])).toBe(1);
    expect(await catalogue().rows.count('books', 'author_id = ?', [author.id])).toBe(3);
    expect(await catalogue().rows.count('loans', 'id = ? AND book_id = ?', [loan.id, solaris.id])).toBe(1);
    expect(await auditCount('author.created', author.id)).toBe(1);
    expect(await auditCount('book.created', solaris.id)).toBe(1);
    expect(await auditCount('loan.created', loan.id)).toBe(1);

    const page = await api().get(`/books?authorId=${author.id}&limit=2&orderBy=title&sortOrder=desc`).expect(200);
    expect(page.body).toMatchObject({ total: 3, limit: 2, offset: 0 });
    expect(page.body.items.map((book: { title: string }) => book.title)).toEqual(['The Cyberiad', 'Solaris']);
    const open = await api().get(`/loans?bookId=${solaris.id}&open=true`).expect(200);
    expect(open.body).toMatchObject({ total: 1, items: [{ id: loan.id }] });
  });

  it('answers 400, 404, 409 and 422 with nothing written to either database', async () => {
    const { body: author } = await api().post('/authors').send({ name: 'Karel Čapek' }).expect(201);
    const { body: book } = await api()
      .post('/books')
      .send({ title: 'R.U.R.', isbn: nextIsbn(), authorId: author.id })
      .expect(201);
    const counts = async () => [
      await catalogue().rows.count('authors'),
      await catalogue().rows.count('books'),
      await catalogue().rows.count('loans'),
      await catalogue().auditRows.count('audit_entries'),
    ];
    const before = await counts();

    await api().post('/books').send({ title: '', isbn: nextIsbn(), authorId: author.id }).expect(400);
    await api().post('/books').send({ title: 'War with the Newts', isbn: book.isbn, authorId: author.id }).expect(409);
    await api()
      .post('/books')
      .send({ title: 'Krakatit', isbn: nextIsbn(), authorId: '00000000-0000-4000-8000-000000000000' })
      .expect(422);
    await api().get('/books/00000000-0000-4000-8000-000000000000').expect(404);
    await api().delete(`/authors/${author.id}`).expect(409);
    await api().get('/books?limit=1000').expect(400);

    expect(await counts()).toEqual(before);
  });

  it('answers /health with both databases up', async () => {
    const { body } = await api().get('/health').expect(200);
    expect(body).toMatchObject({ status: 'ok', details: { catalogue: { status: 'up' }, audit: { status: 'up' } } });
  });

  it('serves the OpenAPI document; Swagger UI only when @fastify/static is installed', async () => {
    const { body: document } = await api().get('/docs-json').expect(200);
    expect(document.paths).toHaveProperty('/books');
    expect(catalogue().swaggerUi).toBe(isInstalled('@fastify/static'));
    await api()
      .get('/docs')
      .expect(catalogue().swaggerUi ? 200 : 404);
  });
});
