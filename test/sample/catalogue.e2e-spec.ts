import { testDatabaseKinds } from 'nestjs-advanced-alchemy/testing';
import { nextIsbn, useCatalogue } from './fixtures/start-catalogue';

// The authors and books API of the sample, over HTTP, on each database. Every check of a table goes
// through a separate connection (a probe), so it sees only what the API really committed: the
// catalogue on bind key `default` (autocommit), the audit log on bind key `audit` (manual, its own database).
describe.each(testDatabaseKinds())('sample catalogue: authors and books on %s', (kind) => {
  const catalogue = useCatalogue(kind, 'sample_catalogue');

  const api = () => catalogue().api();
  const auditCount = (action: string, subjectId: string) =>
    catalogue().auditRows.count('audit_entries', 'action = ? AND subject_id = ?', [action, subjectId]);
  const createAuthor = async (name: string, birthYear?: number) =>
    (await api().post('/authors').send({ name, birthYear }).expect(201)).body as { id: string; name: string };
  const createBook = async (authorId: string, title: string, publishedYear?: number) =>
    (await api().post('/books').send({ title, isbn: nextIsbn(), authorId, publishedYear }).expect(201)).body as {
      id: string;
      isbn: string;
    };

  it('stores an author and a book before answering 201, each with one audit entry', async () => {
    const author = await createAuthor('Ursula K. Le Guin', 1929);
    expect(author).toMatchObject({ id: expect.any(String), name: 'Ursula K. Le Guin', birthYear: 1929 });
    const isbn = nextIsbn();
    const { body: book } = await api()
      .post('/books')
      .send({ title: 'A Wizard of Earthsea', isbn, publishedYear: 1968, authorId: author.id })
      .expect(201);
    expect(book).toMatchObject({ title: 'A Wizard of Earthsea', isbn, publishedYear: 1968, authorId: author.id });

    expect(await catalogue().rows.query('SELECT name, birth_year FROM authors WHERE id = ?', [author.id])).toEqual([
      { name: 'Ursula K. Le Guin', birth_year: 1929 },
    ]);
    expect(await catalogue().rows.query('SELECT title, author_id FROM books WHERE id = ?', [book.id])).toEqual([
      { title: 'A Wizard of Earthsea', author_id: author.id },
    ]);
    expect(await auditCount('author.created', author.id)).toBe(1);
    expect(await auditCount('book.created', book.id)).toBe(1);
    await api().get(`/books/${book.id}`).expect(200, book);
    const { body: entries } = await api().get(`/audit?subjectId=${book.id}`).expect(200);
    expect(entries).toMatchObject({ total: 1, items: [{ action: 'book.created', summary: 'A Wizard of Earthsea' }] });
  });

  it('lists books a page at a time, filtered by author, year and search', async () => {
    const author = await createAuthor('Frank Herbert');
    for (const [title, year] of [
      ['Dune', 1965],
      ['Dune Messiah', 1969],
      ['Children of Dune', 1976],
      ['The Dosadi Experiment', 1977],
    ] as const) {
      await createBook(author.id, title, year);
    }
    const list = (query: string) => api().get(`/books?authorId=${author.id}&${query}`).expect(200);

    const first = await list('limit=2&orderBy=title');
    expect(first.body).toMatchObject({ limit: 2, offset: 0, total: 4 });
    expect(first.body.items.map((book: { title: string }) => book.title)).toEqual(['Children of Dune', 'Dune']);
    const last = await list('limit=2&offset=2&orderBy=title');
    expect(last.body.items.map((book: { title: string }) => book.title)).toEqual([
      'Dune Messiah',
      'The Dosadi Experiment',
    ]);
    const search = await list('searchString=Dune&orderBy=publishedYear&sortOrder=desc');
    expect(search.body.items.map((book: { publishedYear: number }) => book.publishedYear)).toEqual([1976, 1969, 1965]);
    const years = await list('publishedFrom=1966&publishedTo=1976');
    expect(years.body).toMatchObject({ total: 2 });
    const authors = await api().get('/authors?searchString=Herbert').expect(200);
    expect(authors.body).toMatchObject({ total: 1, items: [{ id: author.id }] });
  });

  it.each([
    ['a limit above the maximum', '/books?limit=1000'],
    ['an unknown sort field', '/books?orderBy=isbn'],
    ['an authorId that is not a UUID', '/books?authorId=42'],
    ['a year that is not a number', '/books?publishedFrom=soon'],
    ['a search on authors by an unknown order', '/authors?orderBy=password'],
  ])('answers 400 to %s', async (_case, url) => {
    const response = await api().get(url).expect(400);
    expect(response.body.message).toBeDefined();
  });

  describe('refused writes leave both databases unchanged', () => {
    let authorId: string;
    let before: { authors: number; books: number; audit: number };
    beforeAll(async () => {
      authorId = (await createAuthor('Octavia E. Butler')).id;
    });
    beforeEach(async () => {
      before = {
        authors: await catalogue().rows.count('authors'),
        books: await catalogue().rows.count('books'),
        audit: await catalogue().auditRows.count('audit_entries'),
      };
    });
    afterEach(async () => {
      expect(await catalogue().rows.count('authors')).toBe(before.authors);
      expect(await catalogue().rows.count('books')).toBe(before.books);
      expect(await catalogue().auditRows.count('audit_entries')).toBe(before.audit);
    });

    it.each([
      ['an empty title', { title: '', isbn: '978-0-0000-0000-1' }],
      ['a malformed ISBN', { title: 'Kindred', isbn: 'not-an-isbn' }],
      ['a year that is text', { title: 'Kindred', isbn: '978-0-0000-0000-2', publishedYear: '1979' }],
      ['a field the DTO does not declare', { title: 'Kindred', isbn: '978-0-0000-0000-3', price: 10 }],
    ])('400 for a book with %s', async (_case, fields) => {
      const response = await api()
        .post('/books')
        .send({ authorId, ...fields })
        .expect(400);
      expect(response.body.message).toEqual(expect.any(Array));
    });

    it('400 for an author without a name, and for a batch with one bad book', async () => {
      await api().post('/authors').send({ birthYear: 1947 }).expect(400);
      const good = { title: 'Kindred', isbn: nextIsbn(), authorId };
      await api()
        .post('/books/batch')
        .send([good, { ...good, isbn: nextIsbn(), title: '' }])
        .expect(400);
    });

    it('404 for an author or a book that does not exist, on read, update and delete', async () => {
      const missing = '00000000-0000-4000-8000-000000000000';
      for (const [resource, change] of [
        ['authors', { name: 'Ghost' }],
        ['books', { title: 'Ghost' }],
      ] as const) {
        await api().get(`/${resource}/${missing}`).expect(404);
        await api().patch(`/${resource}/${missing}`).send(change).expect(404);
        await api().delete(`/${resource}/${missing}`).expect(404);
      }
    });

    it('409 for a second book with the same ISBN, alone or in a batch', async () => {
      const { isbn } = await createBook(authorId, 'Parable of the Sower');
      before.books += 1;
      before.audit += 1;
      const duplicate = await api().post('/books').send({ title: 'Copy', isbn, authorId }).expect(409);
      expect(duplicate.body).toMatchObject({ statusCode: 409, error: 'Conflict' });
      // One multi-row INSERT for the batch: the duplicate fails it, and none of its books is stored.
      await api()
        .post('/books/batch')
        .send([
          { title: 'Fledgling', isbn: nextIsbn(), authorId },
          { title: 'Copy', isbn, authorId },
        ])
        .expect(409);
    });

    it('422 for a book of an author that does not exist', async () => {
      const response = await api()
        .post('/books')
        .send({ title: 'Orphan', isbn: nextIsbn(), authorId: '00000000-0000-4000-8000-000000000001' })
        .expect(422);
      expect(response.body.message).toContain('no author');
    });

    it('409 for deleting an author who still has books (a foreign key the database enforces)', async () => {
      await createBook(authorId, 'Wild Seed');
      before.books += 1;
      before.audit += 1;
      await api().delete(`/authors/${authorId}`).expect(409);
    });
  });

  it('creates a batch in one request: 201 with a count header, every book stored and audited', async () => {
    const author = await createAuthor('N. K. Jemisin');
    const titles = ['The Fifth Season', 'The Obelisk Gate', 'The Stone Sky'];
    const response = await api()
      .post('/books/batch')
      .send(titles.map((title) => ({ title, isbn: nextIsbn(), authorId: author.id })))
      .expect(201);
    expect(response.headers['x-created-count']).toBe('3');
    expect(await catalogue().rows.count('books', 'author_id = ?', [author.id])).toBe(3);
    for (const book of response.body as Array<{ id: string }>)
      expect(await auditCount('book.created', book.id)).toBe(1);
  });

  it('stores a partial update, and a delete, each audited', async () => {
    const author = await createAuthor('Jane Austen');
    const book = await createBook(author.id, 'Emma', 1815);
    const updated = await api().patch(`/books/${book.id}`).send({ title: 'Emma: A Novel' }).expect(200);
    expect(updated.body).toMatchObject({ id: book.id, title: 'Emma: A Novel', publishedYear: 1815, isbn: book.isbn });
    expect(await catalogue().rows.query('SELECT title, published_year FROM books WHERE id = ?', [book.id])).toEqual([
      { title: 'Emma: A Novel', published_year: 1815 },
    ]);
    expect(await auditCount('book.updated', book.id)).toBe(1);

    await api().delete(`/books/${book.id}`).expect(204);
    await api().delete(`/authors/${author.id}`).expect(204);
    expect(await catalogue().rows.count('books', 'id = ?', [book.id])).toBe(0);
    expect(await catalogue().rows.count('authors', 'id = ?', [author.id])).toBe(0);
    expect(await auditCount('book.deleted', book.id)).toBe(1);
    expect(await auditCount('author.deleted', author.id)).toBe(1);
  });
});
