import { Exclude, Expose } from 'class-transformer';
import { Column, DataSource, Entity, ManyToOne, OneToMany, PrimaryGeneratedColumn } from 'typeorm';
import { toJsonValue } from './to-json-value';

// What jsonify sends is built by toJsonValue: these tests pin down the JSON a client receives for
// every kind of value a handler may hand it. Entities are loaded by TypeORM itself (SQLite in
// memory), so the lazy-relation internals it adds are the real ones, not imitations.

/** An abstract base whose columns every entity inherits. */
abstract class Timestamped {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'datetime' }) createdAt!: Date;
}

@Entity('jv_publisher')
class Publisher extends Timestamped {
  @Column({ type: 'varchar', length: 50 }) name!: string;
}

@Entity('jv_author')
class Author extends Timestamped {
  @Column({ type: 'varchar', length: 50 }) name!: string;
  @OneToMany(() => Book, (book) => book.author) books!: Book[];
}

@Entity('jv_book')
class Book extends Timestamped {
  @Column({ type: 'varchar', length: 50 }) title!: string;
  @ManyToOne(() => Author, (author) => author.books, { eager: true }) author!: Author;
  @ManyToOne(() => Publisher, { lazy: true, nullable: true }) publisher!: Promise<Publisher | null>;
  /** Not a column: never part of the JSON. */
  cachedLabel?: string;
}

/** An entity that is also a class-transformer class: @Exclude decides, TypeORM internals still never leak. */
@Entity('jv_member')
class Member {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 50 }) login!: string;
  @Exclude() @Column({ type: 'varchar', length: 100 }) passwordHash!: string;
  @ManyToOne(() => Publisher, { lazy: true }) publisher!: Promise<Publisher>;
}

const CREATED_AT = new Date('2024-03-01T12:30:00.000Z');

/** Every key anywhere in a JSON value, to prove no `__name__` internals slipped through. */
function allKeys(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(allKeys);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, item]) => [key, ...allKeys(item)]);
}

const ORM_INTERNAL = /^__.*__$/;

describe('toJsonValue: entities loaded by TypeORM', () => {
  let dataSource: DataSource;
  beforeAll(async () => {
    dataSource = new DataSource({
      type: 'better-sqlite3',
      database: ':memory:',
      entities: [Publisher, Author, Book, Member],
      synchronize: true,
    });
    await dataSource.initialize();
    const publisher = await dataSource.getRepository(Publisher).save({ name: 'Gallimard', createdAt: CREATED_AT });
    const author = await dataSource.getRepository(Author).save({ name: 'Camus', createdAt: CREATED_AT });
    // A lazy relation is written through the entity's setter, and read back by save() once settled.
    const published = dataSource.getRepository(Book).create({ title: 'La Peste', createdAt: CREATED_AT, author });
    published.publisher = Promise.resolve(publisher);
    await published.publisher;
    const unpublished = dataSource.getRepository(Book).create({ title: 'Carnets', createdAt: CREATED_AT, author });
    await dataSource.getRepository(Book).save([published, unpublished]);
    const member = dataSource.getRepository(Member).create({ login: 'ann', passwordHash: 'secret-hash' });
    member.publisher = Promise.resolve(publisher);
    await member.publisher;
    await dataSource.getRepository(Member).save(member);
  });
  afterAll(() => dataSource?.destroy());

  const bookRepository = () => dataSource.getRepository(Book);
  const authorJson = { id: 1, createdAt: '2024-03-01T12:30:00.000Z', name: 'Camus' };
  const publisherJson = { id: 1, createdAt: '2024-03-01T12:30:00.000Z', name: 'Gallimard' };

  it('gives inherited and own columns and the eager relation, but not an unloaded lazy one or other properties', async () => {
    const book = await bookRepository().findOneByOrFail({ title: 'La Peste' });
    book.cachedLabel = 'not a column';
    expect(toJsonValue(book)).toEqual({
      id: 1,
      createdAt: '2024-03-01T12:30:00.000Z',
      title: 'La Peste',
      author: authorJson,
    });
  });

  it('includes a lazy relation once it was awaited, and no internals', async () => {
    const book = await bookRepository().findOneByOrFail({ title: 'La Peste' });
    await book.publisher;
    const json = toJsonValue(book);
    expect(json).toEqual(expect.objectContaining({ title: 'La Peste', publisher: publisherJson }));
    expect(allKeys(json).filter((key) => ORM_INTERNAL.test(key))).toEqual([]);
  });

  it('includes a lazy relation that was awaited and found nothing as null', async () => {
    const book = await bookRepository().findOneByOrFail({ title: 'Carnets' });
    expect(await book.publisher).toBeNull();
    expect(toJsonValue(book)).toEqual(expect.objectContaining({ title: 'Carnets', publisher: null }));
  });

  it('includes a lazy relation loaded with find({ relations }), and no internals', async () => {
    const book = await bookRepository().findOneOrFail({ where: { title: 'La Peste' }, relations: { publisher: true } });
    // TypeORM stores a joined lazy relation under `__publisher__` without the `__has_publisher__`
    // flag that awaiting sets; its own getter treats either as loaded.
    expect(Object.keys(book)).toContain('__publisher__');
    const json = toJsonValue(book);
    expect(json).toEqual(expect.objectContaining({ title: 'La Peste', publisher: publisherJson }));
    expect(allKeys(json).filter((key) => ORM_INTERNAL.test(key))).toEqual([]);
  });

  it('serialises nested loaded relations inside arrays and pagination-shaped objects', async () => {
    const authors = await dataSource.getRepository(Author).find({ relations: { books: true }, order: { id: 'ASC' } });
    const json = toJsonValue({ items: authors, limit: 10, offset: 0, total: 1 }) as {
      items: Array<{ name: string; books: Array<{ title: string }> }>;
    };
    expect(json.items).toHaveLength(1);
    expect(json.items[0].name).toBe('Camus');
    expect(json.items[0].books.map((book) => book.title).sort()).toEqual(['Carnets', 'La Peste']);
    expect(json).toEqual(expect.objectContaining({ limit: 10, offset: 0, total: 1 }));
    expect(allKeys(json).filter((key) => ORM_INTERNAL.test(key))).toEqual([]);
  });

  it('honours @Exclude on an entity column and still leaks no lazy-relation internals', async () => {
    const member = await dataSource.getRepository(Member).findOneByOrFail({ login: 'ann' });
    await member.publisher;
    const json = toJsonValue(member);
    expect(json).toEqual(expect.objectContaining({ id: 1, login: 'ann' }));
    expect(json).not.toHaveProperty('passwordHash');
    expect(allKeys(json).filter((key) => ORM_INTERNAL.test(key))).toEqual([]);
  });
});

class AccountView {
  id = 7;
  name = 'Ann';
  @Exclude() password = 'hunter2';
  @Expose() get greeting(): string {
    return `Hello ${this.name}`;
  }
}

/** A value class with its own JSON form (like Decimal or Luxon's DateTime). */
class Money {
  constructor(
    private readonly cents: bigint,
    private readonly currency: string,
  ) {}
  toJSON() {
    return { amount: this.cents, currency: this.currency };
  }
}

describe('toJsonValue: plain values', () => {
  it('keeps strings, booleans, finite numbers and null, in nested arrays and objects', () => {
    const data = {
      name: 'x',
      flags: [true, false],
      count: 3.5,
      nothing: null,
      nested: { list: [1, [2, { deep: 'y' }]] },
    };
    expect(toJsonValue(data)).toEqual(data);
  });

  it('honours @Exclude and @Expose on a class-transformer class', () => {
    expect(toJsonValue(new AccountView())).toEqual({ id: 7, name: 'Ann', greeting: 'Hello Ann' });
  });

  it('writes Dates as ISO 8601 UTC with Z, and an invalid Date as null', () => {
    const offsetDate = new Date('2024-06-30T23:15:00+02:00');
    expect(toJsonValue({ at: offsetDate, bad: new Date('not a date') })).toEqual({
      at: '2024-06-30T21:15:00.000Z',
      bad: null,
    });
  });

  it('writes bigints as strings, every digit kept', () => {
    expect(toJsonValue({ big: 9007199254740993n, negative: -12n })).toEqual({
      big: '9007199254740993',
      negative: '-12',
    });
  });

  it('writes Buffers and Uint8Arrays as base64, so bytes that are not UTF-8 survive', () => {
    const bytes = [0xff, 0x00, 0xfe, 0x41];
    const json = toJsonValue({ buffer: Buffer.from(bytes), array: new Uint8Array(bytes) }) as Record<string, string>;
    expect(json).toEqual({ buffer: '/wD+QQ==', array: '/wD+QQ==' });
    expect([...Buffer.from(json.buffer, 'base64')]).toEqual(bytes);
  });

  it('writes a Map as an object (keys as strings) and a Set as an array', () => {
    const map = new Map<unknown, unknown>([
      ['a', 1],
      [2, new Set(['x', 'y'])],
    ]);
    expect(toJsonValue({ map, set: new Set([1, 2, 2, 3]) })).toEqual({
      map: { a: 1, '2': ['x', 'y'] },
      set: [1, 2, 3],
    });
  });

  it('writes NaN and ±Infinity as null', () => {
    expect(toJsonValue({ nan: NaN, values: [Infinity, -Infinity, 1] })).toEqual({ nan: null, values: [null, null, 1] });
  });

  it('omits undefined, functions and symbols from objects, and turns them into null in arrays as JSON does', () => {
    const data = { kept: 1, missing: undefined, method: () => 1, symbol: Symbol('s'), list: [undefined, () => 1] };
    expect(toJsonValue(data)).toEqual({ kept: 1, list: [null, null] });
    expect(toJsonValue(undefined)).toBeUndefined();
    expect(toJsonValue(() => 1)).toBeUndefined();
  });

  it('keeps a "__proto__" key as a plain own key and never pollutes Object.prototype', () => {
    const parsed: unknown = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}');
    const fromMap = new Map([['__proto__', { polluted: true }]]);
    for (const json of [toJsonValue(parsed), toJsonValue(fromMap)]) {
      expect(Object.getPrototypeOf(json)).toBe(Object.prototype);
      expect(Object.prototype.hasOwnProperty.call(json, '__proto__')).toBe(true);
      expect(JSON.stringify(json)).toContain('"__proto__":{"polluted":true}');
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('rejects a circular reference with a TypeError that says so', () => {
    const node: Record<string, unknown> = { name: 'loop' };
    node.self = node;
    const list: unknown[] = [1];
    list.push({ back: list });
    expect(() => toJsonValue(node)).toThrow(TypeError);
    expect(() => toJsonValue(node)).toThrow(/circular reference/);
    expect(() => toJsonValue(list)).toThrow(/circular reference/);
  });

  it('rejects a circular reference through a class-transformer class with the same TypeError', () => {
    const account = new AccountView() as AccountView & { friend?: unknown };
    account.friend = { of: account };
    expect(() => toJsonValue(account)).toThrow(TypeError);
    expect(() => toJsonValue(account)).toThrow(/circular reference/);
  });

  it('accepts the same object twice when it is shared, not circular', () => {
    const shared = { id: 1 };
    expect(toJsonValue({ first: shared, second: [shared] })).toEqual({ first: { id: 1 }, second: [{ id: 1 }] });
  });

  it("uses a class's toJSON and converts what it returns", () => {
    expect(toJsonValue({ price: new Money(1999n, 'EUR') })).toEqual({ price: { amount: '1999', currency: 'EUR' } });
  });

  it('uses toJSON on a plain object too, as JSON.stringify does', () => {
    const data = { version: { major: 1, minor: 2, toJSON: () => '1.2' } };
    expect(JSON.stringify(data)).toBe('{"version":"1.2"}');
    expect(toJsonValue(data)).toEqual({ version: '1.2' });
  });
});
