import { testDatabaseKinds } from 'nestjs-advanced-alchemy/testing';
import { newAuthor, newBook as addBook, useCatalogue } from './fixtures/start-catalogue';

interface LoanRow {
  book_id: string;
  borrower: string;
  returnedAt: unknown;
}

// Loans: numbered ids (BigIntAuditBase), two business rules (a book is lent to one borrower at a
// time; a loan is returned once), and the audit log written only once a change has succeeded.
describe.each(testDatabaseKinds())('sample catalogue: loans on %s', (kind) => {
  const catalogue = useCatalogue(kind, 'sample_loans');
  let authorId: string;
  beforeAll(async () => {
    authorId = await newAuthor(catalogue(), 'Tove Jansson');
  });

  const api = () => catalogue().api();
  const newBook = (title: string) => addBook(catalogue(), authorId, title);
  const storedLoan = async (id: number) =>
    (await catalogue().rows.query<LoanRow>('SELECT * FROM loans WHERE id = ?', [id]))[0];
  const auditCount = (action: string, subjectId: number | string) =>
    catalogue().auditRows.count('audit_entries', 'action = ? AND subject_id = ?', [action, String(subjectId)]);

  it('lends a book, refuses to lend it again until it is returned, and audits each step', async () => {
    const bookId = await newBook('Comet in Moominland');
    const { body: loan } = await api().post('/loans').send({ bookId, borrower: 'Snufkin' }).expect(201);
    expect(loan).toMatchObject({ id: expect.any(Number), bookId, borrower: 'Snufkin', returnedAt: null });
    expect(await storedLoan(loan.id)).toMatchObject({ book_id: bookId, borrower: 'Snufkin', returnedAt: null });
    expect(await auditCount('loan.created', loan.id)).toBe(1);

    const refused = await api().post('/loans').send({ bookId, borrower: 'Little My' }).expect(409);
    expect(refused.body.message).toContain('on loan already');
    expect(await catalogue().rows.count('loans', 'book_id = ?', [bookId])).toBe(1);

    const { body: returned } = await api().post(`/loans/${loan.id}/return`).expect(200);
    expect(returned).toMatchObject({ id: loan.id, returnedAt: expect.any(String) });
    expect((await storedLoan(loan.id)).returnedAt).not.toBeNull();
    expect(await auditCount('loan.returned', loan.id)).toBe(1);

    await api().post(`/loans/${loan.id}/return`).expect(409);
    expect(await auditCount('loan.returned', loan.id)).toBe(1);
    await api().post('/loans').send({ bookId, borrower: 'Little My' }).expect(201);
    expect(await catalogue().rows.count('loans', 'book_id = ?', [bookId])).toBe(2);
  });

  it('lists open and returned loans, by book and by borrower', async () => {
    const bookId = await newBook('Finn Family Moomintroll');
    const first = (await api().post('/loans').send({ bookId, borrower: 'Sniff' }).expect(201)).body;
    await api().post(`/loans/${first.id}/return`).expect(200);
    const second = (await api().post('/loans').send({ bookId, borrower: 'Snork Maiden' }).expect(201)).body;

    const open = await api().get(`/loans?bookId=${bookId}&open=true`).expect(200);
    expect(open.body).toMatchObject({ total: 1, items: [{ id: second.id }] });
    const closed = await api().get(`/loans?bookId=${bookId}&open=false`).expect(200);
    expect(closed.body).toMatchObject({ total: 1, items: [{ id: first.id }] });
    const byBorrower = await api().get('/loans?searchString=Snork').expect(200);
    expect(byBorrower.body).toMatchObject({ total: 1, items: [{ borrower: 'Snork Maiden' }] });
    const page = await api().get(`/loans?bookId=${bookId}&limit=1&orderBy=createdAt&sortOrder=desc`).expect(200);
    expect(page.body).toMatchObject({ total: 2, limit: 1, items: [{ id: second.id }] });
    await api().get('/loans?open=maybe').expect(400);
  });

  it('refuses bad loans with nothing written to either database', async () => {
    const bookId = await newBook('Moominsummer Madness');
    const loans = await catalogue().rows.count('loans');
    const entries = await catalogue().auditRows.count('audit_entries');

    await api().post('/loans').send({ bookId }).expect(400);
    await api().post('/loans').send({ bookId: 'nope', borrower: 'Hemulen' }).expect(400);
    await api()
      .post('/loans')
      .send({ bookId, borrower: 'x'.repeat(101) })
      .expect(400);
    await api()
      .post('/loans')
      .send({ bookId: '00000000-0000-4000-8000-000000000000', borrower: 'Hemulen' })
      .expect(422);
    await api().get('/loans/999999').expect(404);
    await api().post('/loans/999999/return').expect(404);
    await api().get('/loans/not-a-number').expect(400);

    expect(await catalogue().rows.count('loans')).toBe(loans);
    expect(await catalogue().auditRows.count('audit_entries')).toBe(entries);
  });

  it('keeps a book that has loans: deleting it is a 409 and the book stays', async () => {
    const bookId = await newBook('Moominland Midwinter');
    await api().post('/loans').send({ bookId, borrower: 'Too-ticky' }).expect(201);
    await api().delete(`/books/${bookId}`).expect(409);
    expect(await catalogue().rows.count('books', 'id = ?', [bookId])).toBe(1);
    expect(await auditCount('book.deleted', bookId)).toBe(0);
  });

  it('keeps no loan whose audit entry could not be stored: the 500 rolls the catalogue back', async () => {
    const bookId = await newBook('The Summer Book');
    // Hide the audit table from the application, so that the last step of the request fails.
    const quote = kind === 'mariadb' ? '`' : '"';
    await catalogue().auditRows.query(`ALTER TABLE ${quote}audit_entries${quote} RENAME TO ${quote}audit_away${quote}`);
    try {
      await api().post('/loans').send({ bookId, borrower: 'Sophia' }).expect(500);
    } finally {
      await catalogue().auditRows.query(
        `ALTER TABLE ${quote}audit_away${quote} RENAME TO ${quote}audit_entries${quote}`,
      );
    }
    expect(await catalogue().rows.count('loans', 'book_id = ?', [bookId])).toBe(0);
    await api().post('/loans').send({ bookId, borrower: 'Sophia' }).expect(201);
    expect(await catalogue().rows.count('loans', 'book_id = ?', [bookId])).toBe(1);
  });
});
