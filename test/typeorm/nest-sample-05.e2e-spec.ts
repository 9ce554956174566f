import type { DynamicModule, INestApplication } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import request from 'supertest';
import { AdvancedAlchemyModule } from 'nestjs-advanced-alchemy';
import {
  createTestDatabase,
  openProbe,
  testDatabaseKinds,
  type DatabaseProbe,
  type TestDatabase,
} from 'nestjs-advanced-alchemy/testing';
import { bootApp } from '../support/boot-app';
import { typeOrmModuleOptions } from '../support/typeorm-module-options';
import { createAppModule } from '../fixtures/nestjs-typeorm-app/app.module';

// The shape of Nest's own sample 05-sql-typeorm: a users module whose entity is registered only by
// TypeOrmModule.forFeature([User]), and a root module with `autoLoadEntities: true` and no entity list.

describe.each(testDatabaseKinds())("Nest's 05-sql-typeorm shape (autoLoadEntities, no entity list), on %s", (kind) => {
  let database: TestDatabase;
  let probe: DatabaseProbe | undefined;
  let app: INestApplication | undefined;
  const options = () => ({ ...typeOrmModuleOptions(database), autoLoadEntities: true, synchronize: true });

  beforeAll(async () => {
    database = await createTestDatabase(kind, 'sample05');
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });
  afterAll(async () => {
    await probe?.close();
    await database?.drop();
  });

  async function run(registration: DynamicModule, lastName: string): Promise<void> {
    app = await bootApp(createAppModule(registration));
    probe ??= await openProbe(database.connectionString);
    const server = app.getHttpServer();
    const created = await request(server).post('/users').send({ firstName: 'Ada', lastName }).expect(201);
    await request(server).get(`/users/${created.body.id}`).expect(200, created.body);
    const q = kind === 'mariadb' ? '`' : '"';
    expect(await probe.count('user', `${q}lastName${q} = ?`, [lastName])).toBe(1);
  }

  it('starts and serves on TypeOrmModule.forRoot (before)', () => run(TypeOrmModule.forRoot(options()), 'before'));

  it('starts and serves with only the forRoot line changed (the options object as it is)', () =>
    run(AdvancedAlchemyModule.forRoot(options()), 'after'));

  it("starts and serves on the module's own options with autoLoadEntities", () =>
    run(
      AdvancedAlchemyModule.forRoot({
        connectionString: database.connectionString,
        autoLoadEntities: true,
        createAll: true,
        commitMode: 'autocommit',
      }),
      'own-options',
    ));
});
