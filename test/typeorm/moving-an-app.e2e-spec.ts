import type { INestApplication } from '@nestjs/common';
import { getRepositoryToken, TypeOrmModule } from '@nestjs/typeorm';
import request from 'supertest';
import type { Repository } from 'typeorm';
import { AdvancedAlchemy, AdvancedAlchemyModule } from 'nestjs-advanced-alchemy';
import {
  createTestDatabase,
  openProbe,
  testDatabaseKinds,
  type DatabaseProbe,
  type TestDatabase,
  type TestDatabaseKind,
} from 'nestjs-advanced-alchemy/testing';
import { bootApp } from '../support/boot-app';
import { typeOrmModuleOptions } from '../support/typeorm-module-options';
import { createAppModule } from '../fixtures/nestjs-typeorm-app/app.module';
import { User } from '../fixtures/nestjs-typeorm-app/users/user.entity';
import { UsersService } from '../fixtures/nestjs-typeorm-app/users/users.service';

// One application written for @nestjs/typeorm (test/fixtures/nestjs-typeorm-app), run twice: on
// TypeOrmModule.forRoot, then with that one line swapped for AdvancedAlchemyModule.forRoot.

interface Running {
  database: TestDatabase;
  app: INestApplication;
  probe: DatabaseProbe;
  /** Users with this last name, read through the probe's own connection. */
  usersNamed(lastName: string): Promise<number>;
  activeFlag(id: number): Promise<boolean>;
}

async function start(
  kind: TestDatabaseKind,
  label: string,
  forRoot: (database: TestDatabase) => object,
): Promise<Running> {
  const database = await createTestDatabase(kind, label);
  const app = await bootApp(createAppModule(forRoot(database) as never));
  const probe = await openProbe(database.connectionString);
  const q = kind === 'mariadb' ? '`' : '"';
  return {
    database,
    app,
    probe,
    usersNamed: (lastName) => probe.count('user', `${q}lastName${q} = ?`, [lastName]),
    async activeFlag(id) {
      const [row] = await probe.query<{ active: unknown }>(
        `SELECT ${q}isActive${q} AS active FROM ${q}user${q} WHERE id = ?`,
        [id],
      );
      return Boolean(Number(row.active));
    },
  };
}

async function stop(running: Running | undefined): Promise<void> {
  await running?.probe.close();
  await running?.app.close();
  await running?.database.drop();
}

/** What the NestJS documentation's users controller promises, whichever module runs it. */
async function exerciseCrud(running: Running, lastName: string): Promise<void> {
  const server = running.app.getHttpServer();
  const created = await request(server).post('/users').send({ firstName: 'Ada', lastName }).expect(201);
  expect(created.body).toMatchObject({ id: expect.any(Number), firstName: 'Ada', lastName, isActive: true });
  expect(await running.usersNamed(lastName)).toBe(1);

  const all = await request(server).get('/users').expect(200);
  expect(all.body.map((user: User) => user.lastName)).toContain(lastName);
  await request(server).get(`/users/${created.body.id}`).expect(200, created.body);

  await request(server).delete(`/users/${created.body.id}`).expect(200);
  expect(await running.usersNamed(lastName)).toBe(0);
  await request(server).get(`/users/${created.body.id}`).expect(404);
}

describe.each(testDatabaseKinds())('An application written for @nestjs/typeorm, on %s', (kind) => {
  describe('on TypeOrmModule.forRoot (before)', () => {
    let running: Running;
    beforeAll(async () => {
      running = await start(kind, 'nest-typeorm-before', (database) =>
        TypeOrmModule.forRoot(typeOrmModuleOptions(database, { entities: [User], synchronize: true })),
      );
    });
    afterAll(() => stop(running));

    it('creates, lists, finds and removes users', () => exerciseCrud(running, 'before-crud'));

    it('keeps what a failing handler saved before it failed: each save commits at once', async () => {
      await request(running.app.getHttpServer())
        .post('/users/import')
        .send([{ firstName: 'Kept', lastName: 'before-import' }, { firstName: 'Refused' }])
        .expect(400);
      expect(await running.usersNamed('before-import')).toBe(1);
    });
  });

  describe('on AdvancedAlchemyModule.forRoot (after: the same files, the forRoot line swapped)', () => {
    let running: Running;
    beforeAll(async () => {
      running = await start(kind, 'nest-typeorm-after', (database) =>
        AdvancedAlchemyModule.forRoot({
          connectionString: database.connectionString,
          entities: [User],
          createAll: true,
          commitMode: 'autocommit',
        }),
      );
    });
    afterAll(() => stop(running));

    it('creates, lists, finds and removes users', () => exerciseCrud(running, 'after-crud'));

    it('leaves no row when a handler answers 4xx after saving through @InjectRepository', async () => {
      await request(running.app.getHttpServer())
        .post('/users/import')
        .send([{ firstName: 'Rolled', lastName: 'after-import' }, { firstName: 'Refused' }])
        .expect(400);
      expect(await running.usersNamed('after-import')).toBe(0);

      await request(running.app.getHttpServer())
        .post('/users/import')
        .send([
          { firstName: 'One', lastName: 'after-import' },
          { firstName: 'Two', lastName: 'after-import' },
        ])
        .expect(201);
      expect(await running.usersNamed('after-import')).toBe(2);
    });

    it('rolls back an update made through @InjectEntityManager when the handler then throws', async () => {
      const server = running.app.getHttpServer();
      const { body: user } = await request(server)
        .post('/users')
        .send({ firstName: 'Em', lastName: 'after-em' })
        .expect(201);

      await request(server).post(`/users/${user.id}/deactivate?fail=true`).expect(500);
      expect(await running.activeFlag(user.id)).toBe(true);

      await request(server).post(`/users/${user.id}/deactivate`).expect(201);
      expect(await running.activeFlag(user.id)).toBe(false);
    });

    it("keeps the documentation's dataSource.transaction(): both users are stored", async () => {
      await request(running.app.getHttpServer())
        .post('/users/many')
        .send([
          { firstName: 'A', lastName: 'after-many' },
          { firstName: 'B', lastName: 'after-many' },
        ])
        .expect(201);
      expect(await running.usersNamed('after-many')).toBe(2);
    });

    it('stores exactly the users of the requests that succeeded, 200 at once, half of them failing', async () => {
      const server = running.app.getHttpServer();
      const answers = await Promise.all(
        Array.from({ length: 200 }, (_, index) => {
          const users =
            index % 2 === 0
              ? [{ firstName: `ok-${index}`, lastName: 'after-concurrent' }]
              : [{ firstName: `lost-${index}`, lastName: 'after-concurrent' }, { firstName: `refused-${index}` }];
          return request(server).post('/users/import').send(users);
        }),
      );
      const succeeded = answers.filter((answer) => answer.status === 201).length;
      expect(answers.filter((answer) => answer.status === 400)).toHaveLength(100);
      expect(succeeded).toBe(100);
      expect(await running.usersNamed('after-concurrent')).toBe(succeeded);
    });

    it('outside every request, the injected repository and service work on the DataSource directly', async () => {
      const repository = running.app.get<Repository<User>>(getRepositoryToken(User));
      await repository.save({ firstName: 'Script', lastName: 'after-outside' });
      expect(await running.usersNamed('after-outside')).toBe(1);
      const users = await running.app.get(UsersService).findAll();
      expect(users.some((user) => user.lastName === 'after-outside')).toBe(true);
    });

    it('gives the injected repository a session inside withSession: a throw rolls its writes back', async () => {
      const alchemy = running.app.get(AdvancedAlchemy);
      const users = running.app.get(UsersService);
      await expect(
        alchemy.withSession(async () => {
          await users.create({ firstName: 'Job', lastName: 'after-with-session' });
          throw new Error('the job failed');
        }),
      ).rejects.toThrow('the job failed');
      expect(await running.usersNamed('after-with-session')).toBe(0);

      await alchemy.withSession(() => users.create({ firstName: 'Job', lastName: 'after-with-session' }));
      expect(await running.usersNamed('after-with-session')).toBe(1);
    });
  });
});
