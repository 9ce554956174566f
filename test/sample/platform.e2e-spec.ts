import { getMetadataStorage } from 'class-validator';
import { AdvancedAlchemy, ListQueryDto } from 'nestjs-advanced-alchemy';
import { testDatabaseKinds } from 'nestjs-advanced-alchemy/testing';
import {
  createCatalogueDatabases,
  startCatalogue,
  type CatalogueDatabases,
  type RunningCatalogue,
} from './fixtures/start-catalogue';

// What the sample does besides its CRUD endpoints: the health check of both bind keys, the
// OpenAPI page, and the seed data that `npm start` puts in an empty catalogue.
describe.each(testDatabaseKinds())('sample catalogue: health, OpenAPI and seed on %s', (kind) => {
  let databases: CatalogueDatabases;
  let catalogue: RunningCatalogue | undefined;

  beforeEach(async () => {
    databases = await createCatalogueDatabases(kind, 'sample_platform');
  });
  afterEach(async () => {
    await catalogue?.close();
    catalogue = undefined;
    await databases?.drop();
  });

  it('answers /health 200 with both databases up', async () => {
    catalogue = await startCatalogue(databases);
    const { body } = await catalogue.api().get('/health').expect(200);
    expect(body).toMatchObject({
      status: 'ok',
      details: {
        catalogue: { status: 'up', bindKey: 'default' },
        audit: { status: 'up', bindKey: 'audit' },
      },
    });
  });

  it('answers /health 503 naming the database that is down, and only that one', async () => {
    const running = await startCatalogue(databases);
    // Close the audit bind key's DataSource, as a lost database would leave it unusable.
    await running.app.get(AdvancedAlchemy).getDataSource('audit').destroy();
    try {
      const { body } = await running.api().get('/health').expect(503);
      expect(body).toMatchObject({
        status: 'error',
        info: { catalogue: { status: 'up' } },
        error: { audit: { status: 'down', bindKey: 'audit', message: expect.any(String) } },
      });
    } finally {
      await running.rows.close();
      await running.auditRows.close();
      await running.app.close();
    }
  });

  it('serves Swagger UI at /docs and the OpenAPI document at /docs-json', async () => {
    catalogue = await startCatalogue(databases);
    expect(catalogue.swaggerUi).toBe(true);
    const page = await catalogue.api().get('/docs').expect(200);
    expect(page.headers['content-type']).toContain('text/html');
    const { body: document } = await catalogue.api().get('/docs-json').expect(200);
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/authors',
        '/books',
        '/books/batch',
        '/loans',
        '/loans/{id}/return',
        '/audit',
        '/health',
      ]),
    );
    expect(document.components.schemas.Book.properties).toEqual(
      expect.objectContaining({ id: expect.any(Object), isbn: expect.any(Object), authorId: expect.any(Object) }),
    );
    const listParameters = document.paths['/books'].get.parameters.map((parameter: { name: string }) => parameter.name);
    expect(listParameters).toEqual(expect.arrayContaining(['limit', 'offset', 'orderBy', 'searchString', 'authorId']));
  });

  it('/docs-json lists every query parameter @ListQuery accepts, and the page body, on each list endpoint', async () => {
    catalogue = await startCatalogue(databases);
    const { body: document } = await catalogue.api().get('/docs-json').expect(200);
    // What @ListQuery accepts is what ListQueryDto validates: a parameter added there must be documented.
    const accepted = [
      ...new Set(
        getMetadataStorage()
          .getTargetValidationMetadatas(ListQueryDto, '', true, false)
          .map((metadata) => metadata.propertyName),
      ),
    ];
    expect(accepted).toEqual(expect.arrayContaining(['limit', 'ids', 'createdBefore', 'updatedAfter']));
    // The audit log has no searchFields: there @ListQuery refuses searchString, so it is not listed.
    const searchable = { '/authors': true, '/books': true, '/loans': true, '/audit': false };
    for (const [path, canSearch] of Object.entries(searchable)) {
      const operation = document.paths[path].get;
      const listed = operation.parameters.map((parameter: { name: string }) => parameter.name);
      // These lists page by offset: @ListQuery refuses `cursor` there, so it is not listed.
      const expected = accepted.filter((name) => name !== 'cursor' && (canSearch || !name.startsWith('search')));
      expect({ path, missing: expected.filter((name) => !listed.includes(name)) }).toEqual({ path, missing: [] });
    }
    // /books/pages pages by cursor: `cursor` instead of `offset`, and the body with `nextCursor`.
    const byCursor = document.paths['/books/pages'].get;
    const cursorParameters = byCursor.parameters.map((parameter: { name: string }) => parameter.name);
    expect(cursorParameters).toEqual(
      expect.arrayContaining(['limit', 'cursor', 'orderBy', 'publishedYearIn', 'filter']),
    );
    expect(cursorParameters).not.toContain('offset');
    expect(byCursor.responses['200'].content['application/json'].schema.required).toEqual([
      'items',
      'limit',
      'nextCursor',
    ]);
    const page = document.paths['/books'].get.responses['200'].content['application/json'].schema;
    expect(page).toMatchObject({
      required: ['items', 'limit', 'offset', 'total'],
      properties: {
        items: { type: 'array', items: { $ref: '#/components/schemas/Book' } },
        total: { type: 'integer' },
      },
    });
    const orderBy = document.paths['/books'].get.parameters.find(
      (parameter: { name: string }) => parameter.name === 'orderBy',
    );
    expect(orderBy.schema.enum).toEqual(['title', 'publishedYear', 'createdAt']);
  });

  it('seeds an empty catalogue once, through the services, without audit entries', async () => {
    catalogue = await startCatalogue(databases, { seed: true });
    expect(await catalogue.rows.count('authors')).toBe(3);
    expect(await catalogue.rows.count('books')).toBe(5);
    expect(await catalogue.auditRows.count('audit_entries')).toBe(0);
    const { body } = await catalogue.api().get('/books?searchString=Dune').expect(200);
    expect(body).toMatchObject({ total: 1, items: [{ title: 'Dune', publishedYear: 1965 }] });
    await catalogue.close();

    // A restart on the same databases finds them not empty and adds nothing.
    catalogue = await startCatalogue(databases, { seed: true });
    expect(await catalogue.rows.count('authors')).toBe(3);
    expect(await catalogue.rows.count('books')).toBe(5);
  });

  it('does not seed a catalogue that already has an author', async () => {
    catalogue = await startCatalogue(databases);
    await catalogue.api().post('/authors').send({ name: 'Mary Shelley' }).expect(201);
    await catalogue.close();

    catalogue = await startCatalogue(databases, { seed: true });
    expect(await catalogue.rows.count('authors')).toBe(1);
    expect(await catalogue.rows.count('books')).toBe(0);
  });
});
