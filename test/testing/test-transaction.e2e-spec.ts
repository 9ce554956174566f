import { Controller, Get, Injectable, Module, Post, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { Column, Entity, PrimaryGeneratedColumn, type DataSource } from 'typeorm';
import { AdvancedAlchemy, AdvancedAlchemyModule, InjectSession, type Session } from 'nestjs-advanced-alchemy';
import {
  createTestDatabase,
  openProbe,
  testDatabaseKinds,
  useTestTransactions,
  type TestDatabase,
} from 'nestjs-advanced-alchemy/testing';

@Entity('tt_notes')
class Note {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 50 }) title!: string;
}

@Injectable()
class NotesService {
  constructor(@InjectSession() private readonly session: Session) {}
  add(title: string) {
    return this.session.getRepository(Note).save({ title });
  }
  count() {
    return this.session.getRepository(Note).count();
  }
}

@Controller('notes')
class NotesController {
  constructor(private readonly notes: NotesService) {}
  @Post() add() {
    return this.notes.add('in-test');
  }
  @Post('fail') async fail() {
    await this.notes.add('failed');
    throw new Error('fails after writing');
  }
  @Get('count') async count() {
    return { count: await this.notes.count() };
  }
}

describe.each(testDatabaseKinds())('test transactions on %s', (kind) => {
  let database: TestDatabase;
  let app: INestApplication;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase(kind, 'testtx');
    @Module({
      imports: [
        AdvancedAlchemyModule.forRoot({
          connectionString: database.connectionString,
          entities: [Note],
          createAll: true,
          commitMode: 'autocommit',
        }),
      ],
      controllers: [NotesController],
      providers: [NotesService],
    })
    class AppModule {}
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    dataSource = app.get(AdvancedAlchemy).getDataSource();
  });
  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  describe('inside useTestTransactions', () => {
    useTestTransactions(() => [dataSource]);

    it('sees what earlier requests of the same test committed', async () => {
      await request(app.getHttpServer()).post('/notes').expect(201);
      await request(app.getHttpServer()).post('/notes').expect(201);
      await request(app.getHttpServer()).post('/notes/fail').expect(500);
      const { body } = await request(app.getHttpServer()).get('/notes/count').expect(200);
      expect(body).toEqual({ count: 2 });
      expect(await dataSource.getRepository(Note).count()).toBe(2);
    });

    it('starts the next test from the data before the first', async () => {
      const { body } = await request(app.getHttpServer()).get('/notes/count').expect(200);
      expect(body).toEqual({ count: 0 });
    });
  });

  it('left nothing in the database', async () => {
    const probe = await openProbe(database.connectionString);
    expect(await probe.count('tt_notes')).toBe(0);
    await probe.close();
    await request(app.getHttpServer()).post('/notes').expect(201);
    const after = await openProbe(database.connectionString);
    expect(await after.count('tt_notes')).toBe(1);
    await after.close();
  });
});
