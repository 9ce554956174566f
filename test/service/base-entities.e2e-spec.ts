import { Injectable } from '@nestjs/common';
import {
  AuthorService,
  CalendarEvent,
  LIBRARY_ENTITIES,
  LIBRARY_SERVICES,
  Label,
  Tag,
} from './fixtures/library.entities';
import { startServiceHarness, type ServiceHarness } from './fixtures/service-harness';
import { quoted } from './fixtures/sql-names';
import { AlchemyRepositoryService, InjectSession, uuid7Timestamp, type Session } from 'nestjs-advanced-alchemy';
import { testDatabaseKinds } from 'nestjs-advanced-alchemy/testing';

@Injectable()
class LabelService extends AlchemyRepositoryService<Label> {
  constructor(@InjectSession() session: Session) {
    super(session, Label);
  }
}
@Injectable()
class EventService extends AlchemyRepositoryService<CalendarEvent> {
  constructor(@InjectSession() session: Session) {
    super(session, CalendarEvent);
  }
}
@Injectable()
class TagService extends AlchemyRepositoryService<Tag> {
  constructor(@InjectSession() session: Session) {
    super(session, Tag);
  }
}

/** A timestamp as a probe reads it: a Date (PostgreSQL, MariaDB) or SQLite's UTC text. */
const instant = (value: unknown) =>
  value instanceof Date ? value.getTime() : new Date(`${String(value).replace(' ', 'T')}Z`).getTime();

/** The schema of the test database, in information_schema queries (other suites have tables of the same names). */
const schema = (kind: string) => (kind === 'mariadb' ? 'DATABASE()' : 'current_schema()');

describe.each(testDatabaseKinds())('base entities on %s', (kind) => {
  let harness: ServiceHarness;

  beforeAll(async () => {
    harness = await startServiceHarness(kind, 'svc_bases', {
      entities: LIBRARY_ENTITIES,
      providers: [...LIBRARY_SERVICES, LabelService, EventService, TagService],
    });
  });
  afterAll(() => harness?.close());

  it('UUIDBase gives each row a random version-4 UUID made in JavaScript', async () => {
    const labels = await harness.inSession(() =>
      harness.app.get(LabelService).createMany([{ name: 'a' }, { name: 'b' }]),
    );
    for (const label of labels)
      expect(label.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(
      await harness.probe.count(
        'svc_labels',
        'id IN (?, ?)',
        labels.map((label) => label.id),
      ),
    ).toBe(2);
  });

  it('UUIDv7Base ids are version 7, carry their creation time and sort in creation order', async () => {
    const before = Date.now();
    const events = await harness.inSession(() =>
      harness.app.get(EventService).createMany(Array.from({ length: 30 }, (_, index) => ({ name: `e${index}` }))),
    );
    const after = Date.now();
    const ids = events.map((event) => event.id);
    for (const id of ids) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(uuid7Timestamp(id)).toBeGreaterThanOrEqual(before);
      expect(uuid7Timestamp(id)).toBeLessThanOrEqual(after + 1);
    }
    expect([...ids].sort()).toEqual(ids);
    const stored = await harness.probe.query<{ name: string }>('SELECT name FROM svc_events ORDER BY id');
    expect(stored.map((row) => row.name)).toEqual(events.map((event) => event.name));
  });

  it('BigIntBase ids are 64-bit auto-increment columns, read as numbers', async () => {
    const tags = await harness.inSession(() => harness.app.get(TagService).createMany([{ name: 'x' }, { name: 'y' }]));
    expect(tags.map((tag) => typeof tag.id)).toEqual(['number', 'number']);
    expect(tags[1].id).toBeGreaterThan(tags[0].id);
    const [read] = await harness.inSession(() => harness.app.get(TagService).list({ id: tags[1].id }));
    expect(read.id).toBe(tags[1].id);
    const type =
      kind === 'sqlite'
        ? (await harness.probe.query<{ sql: string }>("SELECT sql FROM sqlite_master WHERE name = 'svc_tags'"))[0].sql
        : (
            await harness.probe.query<{ type: string }>(
              `SELECT data_type AS type FROM information_schema.columns WHERE table_schema = ${schema(kind)} ` +
                'AND table_name = ? AND column_name = ?',
              ['svc_tags', 'id'],
            )
          )[0].type;
    expect(type).toMatch(kind === 'sqlite' ? /"id" integer PRIMARY KEY AUTOINCREMENT/ : /^bigint$/);
  });

  it('audit timestamps are instants: timestamptz on PostgreSQL, datetime(6) on MariaDB, UTC text on SQLite', async () => {
    const author = await harness.inSession(() => harness.app.get(AuthorService).create({ name: 'Audited' }));
    const [row] = await harness.probe.query<Record<string, unknown>>(
      `SELECT ${quoted(kind, 'createdAt')} AS created FROM svc_authors WHERE id = ?`,
      [author.id],
    );
    expect(instant(row.created)).toBe(author.createdAt.getTime());
    if (kind !== 'sqlite') {
      const [column] = await harness.probe.query<{ type: string; digits: number }>(
        'SELECT data_type AS type, datetime_precision AS digits FROM information_schema.columns ' +
          `WHERE table_schema = ${schema(kind)} AND table_name = ? AND column_name = ?`,
        ['svc_authors', 'createdAt'],
      );
      expect([column.type, Number(column.digits)]).toEqual([
        kind === 'postgres' ? 'timestamp with time zone' : 'datetime',
        6,
      ]);
    }
  });

  it('createdAt set by hand is kept; updatedAt moves on update while createdAt stays', async () => {
    const authors = harness.app.get(AuthorService);
    const createdAt = new Date('2010-05-06T07:08:09.123Z');
    const author = await harness.inSession(() => authors.create({ name: 'Old', createdAt, updatedAt: createdAt }));
    expect(author.createdAt).toEqual(createdAt);
    const renamed = await harness.inSession(() => authors.update(author.id, { name: 'Renamed' }));
    expect(renamed.createdAt).toEqual(createdAt);
    expect(renamed.updatedAt.getTime()).toBeGreaterThan(createdAt.getTime());
    const [row] = await harness.probe.query<Record<string, unknown>>(
      `SELECT ${quoted(kind, 'updatedAt')} AS updated FROM svc_authors WHERE id = ?`,
      [author.id],
    );
    expect(instant(row.updated)).toBe(renamed.updatedAt.getTime());
  });
});
