import { Controller, Injectable, Module, Post, type INestApplication } from '@nestjs/common';
import { ServerResponse } from 'node:http';
import request from 'supertest';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { AdvancedAlchemyModule, InjectSession, type Session } from 'nestjs-advanced-alchemy';
import { createTestDatabase, openProbe, type TestDatabase } from 'nestjs-advanced-alchemy/testing';
import { startHttpApp } from './fixtures/start-app';

// An APM agent or a response tool loaded after the application started wraps Node's own
// `ServerResponse.prototype.end`. The response gate must not hide that wrapper from later answers.

@Entity('late_patch_rows')
class Row {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 20 }) label!: string;
}

@Injectable()
class RowsService {
  constructor(@InjectSession() private readonly session: Session) {}
  add(label: string) {
    return this.session.getRepository(Row).save({ label });
  }
}

@Controller('rows')
class RowsController {
  constructor(private readonly rows: RowsService) {}
  @Post() add() {
    return this.rows.add('kept');
  }
}

type End = (this: ServerResponse, ...args: unknown[]) => unknown;

describe('a wrapper of ServerResponse.prototype.end installed after the first held response (Express)', () => {
  let database: TestDatabase;
  let app: INestApplication;
  const nodeEnd = ServerResponse.prototype.end as End;
  const ownBefore = Object.getOwnPropertyDescriptor(ServerResponse.prototype, 'end');

  beforeAll(async () => {
    database = await createTestDatabase('sqlite', 'late_patch');
    @Module({
      imports: [
        AdvancedAlchemyModule.forRoot({
          connectionString: database.connectionString,
          entities: [Row],
          createAll: true,
          commitMode: 'autocommit',
        }),
      ],
      controllers: [RowsController],
      providers: [RowsService],
    })
    class AppModule {}
    app = await startHttpApp(AppModule, 'express');
  });
  afterAll(async () => {
    if (ownBefore) Object.defineProperty(ServerResponse.prototype, 'end', ownBefore);
    else delete (ServerResponse.prototype as Partial<ServerResponse>).end;
    await app?.close();
    await database?.drop();
  });

  it('is called for every answer after it, and the rows are committed', async () => {
    await request(app.getHttpServer()).post('/rows').expect(201);

    let wrapped = 0;
    (ServerResponse.prototype as unknown as Record<string, End>).end = function agentEnd(
      this: ServerResponse,
      ...args
    ) {
      wrapped += 1;
      return nodeEnd.apply(this, args);
    };
    for (let i = 0; i < 20; i += 1) await request(app.getHttpServer()).post('/rows').expect(201);

    expect(wrapped).toBe(20);
    const probe = await openProbe(database.connectionString);
    try {
      expect(await probe.count('late_patch_rows')).toBe(21);
    } finally {
      await probe.close();
    }
  });
});
