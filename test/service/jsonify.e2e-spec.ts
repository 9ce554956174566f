import { ClassSerializerInterceptor, Controller, Get, Injectable, Param, Post, UseInterceptors } from '@nestjs/common';
import request from 'supertest';
import { Column, Entity, ManyToOne, OneToMany, PrimaryGeneratedColumn } from 'typeorm';
import { AlchemyService, AlchemyServiceMixin, InjectSession, type Session } from 'nestjs-advanced-alchemy';
import { testDatabaseKinds, useTestApp, type TestHttpAdapter } from 'nestjs-advanced-alchemy/testing';

@Entity('jf_notes')
class Note {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 100 }) label!: string;
}

@Entity('jf_shelves')
class Shelf {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 100 }) name!: string;
  @OneToMany(() => ShelvedBook, (book) => book.shelf, { lazy: true }) books!: Promise<ShelvedBook[]>;
}

@Entity('jf_books')
class ShelvedBook {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 100 }) title!: string;
  @ManyToOne(() => Shelf, (shelf) => shelf.books) shelf!: Shelf;
}

@Entity('jf_documents')
class TextDocument {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'simple-json' }) payload!: Record<string, unknown>;
}

/** PostgreSQL only: the module lists it only there. */
@Entity('jf_pg_documents')
class BinaryJsonDocument {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'jsonb' }) payload!: Record<string, unknown>;
}

/** A user's own service, written before jsonify existed: the mixin must keep all of it. */
@Injectable()
class NoteStore {
  constructor(@InjectSession() readonly session: Session) {}
  add(label: string): Promise<Note> {
    return this.session.getRepository(Note).save({ label });
  }
}

/** The mixin over that service, with a constructor of its own (Nest reads its parameters). */
@Injectable()
class NoteService extends AlchemyServiceMixin(NoteStore) {
  constructor(@InjectSession() session: Session) {
    super(session);
  }
}

const TRACE = { 'x-trace': 'abc' };

@Controller('jf')
class JsonifyController {
  constructor(
    private readonly notes: NoteService,
    private readonly plain: AlchemyService,
  ) {}

  @Post('accepted') accepted() {
    const data = {
      at: new Date('2024-01-02T03:04:05+01:00'),
      big: 2n ** 64n,
      bytes: Buffer.from([0xff, 0]),
      tags: new Set(['a']),
    };
    return this.notes.jsonify(data, { statusCode: 202, headers: TRACE });
  }

  /** jsonify's default status is 200, even on a POST where Nest would answer 201. */
  @Post('default') default() {
    return this.plain.jsonify({ ok: true });
  }

  /** Nest's own serializer (for @Exclude/@Expose), often installed globally, in front of jsonify. */
  @Post('class-serialized') @UseInterceptors(ClassSerializerInterceptor) classSerialized() {
    return this.plain.jsonify({ at: new Date('2024-01-02T03:04:05Z') }, { statusCode: 202, headers: TRACE });
  }

  @Post('write/:label/:status') async write(@Param('label') label: string, @Param('status') status: string) {
    const note = await this.notes.add(label);
    return this.notes.jsonify(note, { statusCode: Number(status), headers: TRACE });
  }

  @Post('throws/:label') async throws(@Param('label') label: string) {
    await this.notes.add(label);
    this.plain.jsonify({ never: 'sent' }, { statusCode: 201, headers: TRACE });
    throw new Error('failed after building a jsonify response');
  }

  @Get('books/:id') async book(@Param('id') id: string) {
    const book = await this.notes.session
      .getRepository(ShelvedBook)
      .findOneOrFail({ where: { id: Number(id) }, relations: { shelf: true } });
    await book.shelf.books; // a lazy relation, loaded: it must appear
    return this.notes.jsonify(book);
  }
}

describe.each(testDatabaseKinds())('jsonify on %s', (kind) => {
  describe.each<TestHttpAdapter>(['express', 'fastify'])('over %s', (http) => {
    const testApp = useTestApp({
      kind,
      http,
      label: 'jsonify',
      entities: [Note, Shelf, ShelvedBook],
      controllers: [JsonifyController],
      providers: [NoteService, AlchemyService],
    });
    let bookId: number;
    beforeAll(async () => {
      bookId = await testApp.alchemy.withSession(async (session) => {
        const shelf = await session.getRepository(Shelf).save({ name: 'Fiction' });
        return (await session.getRepository(ShelvedBook).save({ title: 'Dune', shelf })).id;
      });
    });

    const notes = (label: string) => testApp.probe.count('jf_notes', 'label = ?', [label]);

    it("answers with jsonify's status, JSON content type, extra header and converted body", async () => {
      const response = await request(testApp.url).post('/jf/accepted').expect(202);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.headers['x-trace']).toBe('abc');
      expect(response.body).toEqual({
        at: '2024-01-02T02:04:05.000Z',
        big: '18446744073709551616',
        bytes: '/wA=',
        tags: ['a'],
      });
    });

    it("answers jsonify's default 200 instead of Nest's 201 for a POST", async () => {
      const response = await request(testApp.url).post('/jf/default').expect(200);
      expect(response.body).toEqual({ ok: true });
    });

    it("keeps jsonify's status, header and body behind Nest's ClassSerializerInterceptor", async () => {
      const response = await request(testApp.url).post('/jf/class-serialized').expect(202);
      expect(response.headers['x-trace']).toBe('abc');
      expect(response.body).toEqual({ at: '2024-01-02T03:04:05.000Z' });
    });

    it('rolls back what the handler wrote when jsonify answers 400', async () => {
      const label = `${http}-rejected`;
      const response = await request(testApp.url).post(`/jf/write/${label}/400`).expect(400);
      expect(response.headers['x-trace']).toBe('abc');
      expect(response.body).toEqual({ id: expect.any(Number), label });
      expect(await notes(label)).toBe(0);
    });

    it('commits what the handler wrote when jsonify answers 201, through the base service method', async () => {
      const label = `${http}-created`;
      const response = await request(testApp.url).post(`/jf/write/${label}/201`).expect(201);
      expect(response.body).toEqual({ id: expect.any(Number), label });
      expect(await notes(label)).toBe(1);
    });

    it("answers a handler that built a jsonify response and then threw with the error's 500, and rolls back", async () => {
      const label = `${http}-thrown`;
      const response = await request(testApp.url).post(`/jf/throws/${label}`).expect(500);
      expect(response.headers['x-trace']).toBeUndefined();
      expect(response.body).not.toHaveProperty('never');
      expect(await notes(label)).toBe(0);
    });

    it('serialises an entity with relations loaded through the session, without ORM internals', async () => {
      const response = await request(testApp.url).get(`/jf/books/${bookId}`).expect(200);
      const shelfId = response.body.shelf?.id as unknown;
      expect(response.body).toEqual({
        id: bookId,
        title: 'Dune',
        shelf: { id: shelfId, name: 'Fiction', books: [{ id: bookId, title: 'Dune' }] },
      });
      expect(JSON.stringify(response.body)).not.toMatch(/"__\w+__"/);
    });
  });

  describe('JSON column codec', () => {
    interface JsonDocument {
      id: number;
      payload: Record<string, unknown>;
    }
    const documents: Array<[string, new () => JsonDocument]> = [['simple-json', TextDocument]];
    if (kind === 'postgres') documents.push(['jsonb', BinaryJsonDocument]);
    const tables: Record<string, string> = { 'simple-json': 'jf_documents', jsonb: 'jf_pg_documents' };

    /** Boots an app whose JSON columns use this serializer pair; returns save/read helpers. */
    function withCodec(jsonSerializer: (value: unknown) => string, jsonDeserializer: (text: string) => unknown) {
      const testApp = useTestApp({
        kind,
        label: 'jsonify_codec',
        entities: documents.map(([, entity]) => entity),
        config: { commitMode: undefined, engineConfig: { jsonSerializer, jsonDeserializer } },
      });

      /** Saves a payload in one session, reads it back in another, and reads the column's raw text. */
      return async (type: string, entity: new () => JsonDocument, payload: Record<string, unknown>) => {
        const alchemy = testApp.alchemy;
        const { id } = await alchemy.withSession((session) => session.getRepository(entity).save({ payload }));
        const read = await alchemy.withSession((session) => session.getRepository(entity).findOneByOrFail({ id }));
        const cast = kind === 'postgres' ? '::text' : '';
        const sql = `SELECT payload${cast} AS payload FROM ${tables[type]} WHERE id = ?`;
        const [row] = await testApp.probe.query<{ payload: string }>(sql, [id]);
        return { read: read.payload, raw: row.payload };
      };
    }

    describe('with bigints and Dates tagged as objects', () => {
      /** The replacer reads this[key]: it sees a Date before Date.prototype.toJSON turned it into a string. */
      const serialize = (value: unknown) =>
        JSON.stringify(value, function (this: Record<string, unknown>, key, item: unknown) {
          const raw = this[key];
          if (typeof raw === 'bigint') return { $bigint: raw.toString() };
          if (raw instanceof Date) return { $date: raw.toISOString() };
          return item;
        });
      const deserialize = (text: string): unknown =>
        JSON.parse(text, (_key, item: unknown) => {
          if (item && typeof item === 'object' && '$bigint' in item) return BigInt(String(item.$bigint));
          if (item && typeof item === 'object' && '$date' in item) return new Date(String(item.$date));
          return item;
        });
      const saveAndRead = withCodec(serialize, deserialize);
      const payload = { count: 2n ** 70n, at: new Date('2024-05-06T07:08:09.010Z'), label: 'x', nested: [1n, 'y'] };

      it.each(documents)('revives them from a %s column, stored as the serializer wrote them', async (type, entity) => {
        const { read, raw } = await saveAndRead(type, entity, payload);
        expect(read).toEqual(payload);
        expect(read.count).toBe(2n ** 70n);
        expect(read.at).toBeInstanceOf(Date);
        // jsonb keeps parsed JSON (its own spacing and key order): compare meaning there, text elsewhere.
        if (type === 'jsonb') expect(JSON.parse(raw)).toEqual(JSON.parse(serialize(payload)));
        else expect(raw).toBe(serialize(payload));
      });
    });

    // A common serializer (json-bigint style) writes a bigint as a bare JSON number: exact as text,
    // though a JS number cannot hold it. The column must receive that text, not a rounded copy.
    describe('with bigints as bare JSON numbers', () => {
      const serialize = (value: unknown) =>
        JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? `<big:${item}>` : item)).replace(
          /"<big:(-?\d+)>"/g,
          '$1',
        );
      // Quotes integer literals too long for a double (outside strings: the test data has none there).
      const deserialize = (text: string): unknown =>
        JSON.parse(text.replace(/(?<=[:,[])(-?\d{16,})(?=[,\]}])/g, '"<big:$1>"'), (_key, item: unknown) => {
          const match = typeof item === 'string' ? /^<big:(-?\d+)>$/.exec(item) : null;
          return match ? BigInt(match[1]) : item;
        });
      const saveAndRead = withCodec(serialize, deserialize);

      it('stores the digits of a simple-json column unchanged and revives the exact bigint', async () => {
        const payload = { big: 2n ** 70n };
        expect(serialize(payload)).toBe('{"big":1180591620717411303424}');
        const { read, raw } = await saveAndRead('simple-json', TextDocument, payload);
        expect(raw).toBe('{"big":1180591620717411303424}');
        expect(read.big).toBe(2n ** 70n);
      });
    });
  });
});
