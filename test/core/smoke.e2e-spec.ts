import { Controller, Get, Injectable, Module, Post, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { AdvancedAlchemyModule, InjectSession, type Session } from 'nestjs-advanced-alchemy';
import { createTestDatabase, openProbe, testDatabaseKinds, type TestDatabase } from 'nestjs-advanced-alchemy/testing';

@Entity('smoke_notes')
class Note {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 100 }) title!: string;
}

@Injectable()
class NotesService {
  constructor(@InjectSession() private readonly session: Session) {}
  create(title: string) {
    return this.session.getRepository(Note).save({ title });
  }
}

@Controller('notes')
class NotesController {
  constructor(private readonly notes: NotesService) {}
  @Post() create() {
    return this.notes.create('hello');
  }
  @Post('fail') async fail() {
    await this.notes.create('nope');
    throw new Error('boom');
  }
  @Get('ping') ping() {
    return 'pong';
  }
}

describe.each(testDatabaseKinds())('smoke on %s', (kind) => {
  let database: TestDatabase;
  let app: INestApplication;
  beforeAll(async () => {
    database = await createTestDatabase(kind, 'smoke');
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
    app = moduleRef.createNestApplication();
    await app.init();
  });
  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  it('commits on 201 and rolls back on 500', async () => {
    await request(app.getHttpServer()).post('/notes').expect(201);
    await request(app.getHttpServer()).post('/notes/fail').expect(500);
    await request(app.getHttpServer()).get('/notes/ping').expect(200);
    const probe = await openProbe(database.connectionString);
    expect(await probe.count('smoke_notes')).toBe(1);
    await probe.close();
  });
});
