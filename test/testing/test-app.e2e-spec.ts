import { Body, Controller, Get, Injectable, Param, Post } from '@nestjs/common';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { InjectSession, type Session } from 'nestjs-advanced-alchemy';
import {
  startTestApp,
  testDatabaseKinds,
  useTestTransactions,
  type TestApp,
  type TestDatabase,
  type TestHttpAdapter,
} from 'nestjs-advanced-alchemy/testing';
import { databaseExists } from '../support/database-exists';

// The kit's app fixture (startTestApp): what it hands back works, and what it made is gone after close().

@Entity('kit_notes')
class KitNote {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 50 }) text!: string;
}

@Injectable()
class KitNotes {
  constructor(
    @InjectSession() private readonly session: Session,
    @InjectSession('audit') private readonly audit: Session,
  ) {}
  add(text: string) {
    return this.session.getRepository(KitNote).save({ text });
  }
  addAudited(text: string) {
    return this.audit.getRepository(KitNote).save({ text });
  }
  count() {
    return this.session.getRepository(KitNote).count();
  }
}

@Controller('notes')
class KitNotesController {
  constructor(private readonly notes: KitNotes) {}
  @Post() add(@Body() body: { text: string }) {
    return this.notes.add(body.text);
  }
  @Post('audit') addAudited(@Body() body: { text: string }) {
    return this.notes.addAudited(body.text);
  }
  @Post('fail/:text') async fail(@Param('text') text: string) {
    await this.notes.add(text);
    throw new Error('fails after writing');
  }
  @Get('count') async count() {
    return { count: await this.notes.count() };
  }
}

const cases = testDatabaseKinds().flatMap((kind) =>
  (['express', 'fastify'] as TestHttpAdapter[]).map((http) => ({ kind, http })),
);

describe.each(cases)('startTestApp on $kind with $http', ({ kind, http }) => {
  let fixture: TestApp;

  beforeAll(async () => {
    fixture = await startTestApp({
      kind,
      http,
      bindKeys: ['default', 'audit'],
      entities: [KitNote],
      controllers: [KitNotesController],
      providers: [KitNotes],
      label: 'kit',
    });
  });
  afterAll(() => fixture?.close());

  it('answers on a real port, and what a request committed is there for another connection', async () => {
    const response = await fixture.http.post<{ id: number; text: string }>('/notes', { text: 'committed' });
    expect(response.status).toBe(201);
    expect(response.body.text).toBe('committed');
    expect(await fixture.probe.count('kit_notes', 'id = ?', [response.body.id])).toBe(1);
  });

  it('keeps nothing of a request that fails after writing', async () => {
    expect((await fixture.http.post('/notes/fail/failed')).status).toBe(500);
    expect(await fixture.probe.count('kit_notes', 'text = ?', ['failed'])).toBe(0);
  });

  it('gives each bind key a database of its own, with a probe on each', async () => {
    expect(fixture.databases.audit.connectionString).not.toBe(fixture.database.connectionString);
    expect((await fixture.http.post('/notes/audit', { text: 'audited' })).status).toBe(201);
    expect(await fixture.probes.audit.count('kit_notes', 'text = ?', ['audited'])).toBe(1);
    expect(await fixture.probe.count('kit_notes', 'text = ?', ['audited'])).toBe(0);
  });

  describe('with per-test rollback (useTestTransactions on its DataSource)', () => {
    useTestTransactions(() => [fixture.dataSource()]);
    let before = 0;

    it('sees its own writes within the test', async () => {
      before = (await fixture.http.get<{ count: number }>('/notes/count')).body.count;
      expect((await fixture.http.post('/notes', { text: 'rolled back' })).status).toBe(201);
      expect((await fixture.http.get<{ count: number }>('/notes/count')).body.count).toBe(before + 1);
    });

    it('starts the next test without them', async () => {
      expect((await fixture.http.get<{ count: number }>('/notes/count')).body.count).toBe(before);
      expect(await fixture.probe.count('kit_notes', 'text = ?', ['rolled back'])).toBe(0);
    });
  });
});

describe.each(testDatabaseKinds())('startTestApp tears down on %s', (kind) => {
  it('drops its databases on close()', async () => {
    const fixture = await startTestApp({ kind, entities: [KitNote], label: 'kit_close' });
    expect(await databaseExists(fixture.database)).toBe(true);
    await fixture.close();
    expect(await databaseExists(fixture.database)).toBe(false);
  });

  it('rejects a start that fails, and drops what it had made', async () => {
    let made: TestDatabase | undefined;
    await expect(
      startTestApp({
        kind,
        entities: [KitNote],
        label: 'kit_fail',
        config: (_bindKey, database) => {
          made = database;
          return {};
        },
        configure: () => {
          throw new Error('configure fails');
        },
      }),
    ).rejects.toThrow('configure fails');
    expect(made).toBeDefined();
    expect(await databaseExists(made!)).toBe(false);
  });
});
