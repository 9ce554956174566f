import { testDatabaseKinds } from 'nestjs-advanced-alchemy/testing';
import { newAuthor, newBook as addBook, useCatalogue } from './fixtures/start-catalogue';

// The service features over the sample's HTTP API: a book withdrawn (soft delete) and restored,
// keyset pages of /books, and a loan changed under optimistic locking.
describe.each(testDatabaseKinds())('sample catalogue: soft delete, cursor pages, versions on %s', (kind) => {
  const catalogue = useCatalogue(kind, 'sample_features');
  let authorId: string;
  beforeAll(async () => {
    authorId = await newAuthor(catalogue(), 'Ursula K. Le Guin');
  });

  const api = () => catalogue().api();
  const newBook = (title: string) => addBook(catalogue(), authorId, title);
  const listedTitles = async () =>
    ((await api().get('/books?limit=100').expect(200)).body.items as Array<{ title: string }>).map((b) => b.title);

  it('withdraws a book (kept, hidden from lists and reads) and restores it', async () => {
    const id = await newBook('The Word for World Is Forest');
    const { body: withdrawn } = await api().post(`/books/${id}/withdraw`).expect(200);
    expect(withdrawn).toMatchObject({ id, deletedAt: expect.any(String) });
    expect(
      await catalogue().rows.count(
        'books',
        `id = ? AND ${kind === 'mariadb' ? '`deletedAt`' : '"deletedAt"'} IS NOT NULL`,
        [id],
      ),
    ).toBe(1);
    await api().get(`/books/${id}`).expect(404);
    expect(await listedTitles()).not.toContain('The Word for World Is Forest');
    await api().post(`/books/${id}/withdraw`).expect(404);

    const { body: restored } = await api().post(`/books/${id}/restore`).expect(200);
    expect(restored).toMatchObject({ id, deletedAt: null });
    await api().get(`/books/${id}`).expect(200);
    expect(await listedTitles()).toContain('The Word for World Is Forest');
  });

  it('pages /books by cursor: every book once, in order; a tampered cursor is a 400', async () => {
    for (const title of ['K1', 'K2', 'K3', 'K4', 'K5']) await newBook(title);
    const expected = (await api().get('/books?limit=100&orderBy=title').expect(200)).body.items.map(
      (book: { id: string }) => book.id,
    );
    const visited: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `/books/pages?limit=2&orderBy=title${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const { body } = await api().get(query).expect(200);
      expect(body.items.length).toBeLessThanOrEqual(2);
      visited.push(...body.items.map((book: { id: string }) => book.id));
      cursor = body.nextCursor;
    } while (cursor !== null);
    expect(visited).toEqual(expected);

    const first = (await api().get('/books/pages?limit=2&orderBy=title').expect(200)).body.nextCursor as string;
    const tampered = `${first.slice(0, 5)}${first[5] === 'A' ? 'B' : 'A'}${first.slice(6)}`;
    const refused = await api()
      .get(`/books/pages?limit=2&orderBy=title&cursor=${encodeURIComponent(tampered)}`)
      .expect(400);
    expect(refused.body.message).toMatch(/cursor is not valid/);
    await api().get('/books/pages?offset=2').expect(400);
  });

  it("filters /books/pages by a client's filter tree and per-field parameters; a field outside the allow-list is a 400 naming it", async () => {
    for (const title of ['M1', 'M2', 'M3']) await newBook(title);
    const filter = JSON.stringify({
      or: [
        { field: 'title', op: 'istartswith', value: 'm1' },
        { field: 'title', op: 'eq', value: 'M2' },
      ],
    });
    const { body } = await api()
      .get(`/books/pages?limit=10&orderBy=title&filter=${encodeURIComponent(filter)}`)
      .expect(200);
    expect(body.items.map((book: { title: string }) => book.title)).toEqual(['M1', 'M2']);
    expect((await api().get('/books/pages?publishedYearIn=1066').expect(200)).body.items).toEqual([]);
    const refused = await api()
      .get(`/books/pages?filter=${encodeURIComponent(JSON.stringify({ field: 'isbn', op: 'eq', value: 'x' }))}`)
      .expect(400);
    expect(refused.body.message).toEqual([
      'filter: "isbn" is not a field you may filter on (allowed: title, publishedYear).',
    ]);
  });

  it('50 concurrent changes of one loan from the same version: one 200, 49 409s naming the loan; the winner is stored', async () => {
    const bookId = await newBook('The Tombs of Atuan');
    const { body: loan } = await api().post('/loans').send({ bookId, borrower: 'Tenar' }).expect(201);
    expect(loan.version).toBe(1);
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, index) =>
        api()
          .patch(`/loans/${loan.id}`)
          .send({ borrower: `Arha ${index}`, version: 1 }),
      ),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(49);
    const winner = answers.find((answer) => answer.status === 200)?.body as { borrower: string; version: number };
    expect(winner.version).toBe(2);
    expect(answers.find((answer) => answer.status === 409)?.body.message).toMatch(
      /^Loan \d+ was changed by someone else/,
    );
    const [row] = await catalogue().rows.query<{ borrower: string; version: number | string }>(
      'SELECT borrower, version FROM loans WHERE id = ?',
      [loan.id],
    );
    expect({ borrower: row.borrower, version: Number(row.version) }).toEqual({ borrower: winner.borrower, version: 2 });
    await api().patch(`/loans/${loan.id}`).send({ borrower: 'Ged', version: 2 }).expect(200);
  });
});
