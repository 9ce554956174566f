import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { TypeOrmModule, type TypeOrmModuleOptions } from '@nestjs/typeorm';
import request from 'supertest';
import { AdvancedAlchemyModule } from 'nestjs-advanced-alchemy';
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
import { createPeersAppModule } from '../fixtures/nestjs-typeorm-peers-app/app.module';
import { WRITE_PATHS, type WritePath } from '../fixtures/nestjs-typeorm-peers-app/photos.service';
import {
  DatabaseConfigModule,
  TypeOrmConfigService,
} from '../fixtures/nestjs-typeorm-peers-app/typeorm-config.service';

// An application with two connections written for @nestjs/typeorm (test/fixtures/nestjs-typeorm-peers-app):
// custom repository classes in forFeature, Repository.extend, an EntitySchema on the second connection,
// entities known only through TypeOrmModule.forFeature (autoLoadEntities), raw query(), createQueryBuilder()
// and transaction() on the injected DataSource. Each shape runs on TypeOrmModule, then with only its
// registration lines swapped for AdvancedAlchemyModule's, the options objects untouched.

type Registrations = (first: TypeOrmModuleOptions, second: TypeOrmModuleOptions) => Array<DynamicModule | Type>;

/** The two ways the registration lines are written, each on both modules: the options stay the same objects. */
const SHAPES: Record<string, { before: Registrations; after: Registrations }> = {
  'forRoot twice': {
    before: (first, second) => [TypeOrmModule.forRoot(first), TypeOrmModule.forRoot(second)],
    after: (first, second) => [AdvancedAlchemyModule.forRoot(first), AdvancedAlchemyModule.forRoot(second)],
  },
  'forRootAsync with useClass and useExisting, the name outside the factory': {
    before: () => [
      TypeOrmModule.forRootAsync({ useClass: TypeOrmConfigService }),
      TypeOrmModule.forRootAsync({
        name: 'connection_2',
        imports: [DatabaseConfigModule],
        useExisting: TypeOrmConfigService,
      }),
    ],
    after: () => [
      AdvancedAlchemyModule.forRootAsync({ useClass: TypeOrmConfigService }),
      AdvancedAlchemyModule.forRootAsync({
        name: 'connection_2',
        imports: [DatabaseConfigModule],
        useExisting: TypeOrmConfigService,
      }),
    ],
  },
};

interface Running {
  app: INestApplication;
  photos(title: string): Promise<number>;
  categories(name: string): Promise<number>;
}

describe.each(testDatabaseKinds())('A two-connection @nestjs/typeorm application, on %s', (kind: TestDatabaseKind) => {
  let first: TestDatabase;
  let second: TestDatabase;
  let firstProbe: DatabaseProbe;
  let secondProbe: DatabaseProbe;

  beforeAll(async () => {
    first = await createTestDatabase(kind, 'peers_first');
    second = await createTestDatabase(kind, 'peers_second');
  });
  afterAll(async () => {
    await firstProbe?.close();
    await secondProbe?.close();
    await first?.drop();
    await second?.drop();
  });

  function options(): { first: TypeOrmModuleOptions; second: TypeOrmModuleOptions } {
    const loaded = { autoLoadEntities: true, synchronize: true } as const;
    const options = {
      first: { ...typeOrmModuleOptions(first), ...loaded },
      second: { ...typeOrmModuleOptions(second, { name: 'connection_2' }), ...loaded },
    };
    TypeOrmConfigService.options = { default: options.first, connection_2: options.second };
    return options;
  }

  async function start(registrations: Registrations): Promise<Running> {
    const { first: firstOptions, second: secondOptions } = options();
    const app = await bootApp(createPeersAppModule(registrations(firstOptions, secondOptions)));
    // Opened once the first application has made the databases (an SQLite probe needs the file).
    firstProbe ??= await openProbe(first.connectionString);
    secondProbe ??= await openProbe(second.connectionString);
    return {
      app,
      photos: (title) => firstProbe.count('peer_photos', 'title = ?', [title]),
      categories: (name) => secondProbe.count('peer_categories', 'name = ?', [name]),
    };
  }

  const rows = (running: Running, how: WritePath, title: string) =>
    how.startsWith('category') ? running.categories(title) : running.photos(title);

  describe.each(Object.entries(SHAPES))('written with %s', (shape, { before, after }) => {
    const tag = shape.startsWith('forRootAsync') ? 'a' : 'r';

    describe('on TypeOrmModule (before)', () => {
      let running: Running;
      beforeAll(async () => {
        running = await start(before);
      });
      afterAll(() => running?.app.close());

      it.each(WRITE_PATHS)('stores a row written through %s', async (how) => {
        await request(running.app.getHttpServer()).post(`/photos/${how}/b${tag}-ok-${how}`).expect(201);
        expect(await rows(running, how, `b${tag}-ok-${how}`)).toBe(1);
      });

      it.each(WRITE_PATHS)('keeps a row written through %s when the request then fails', async (how) => {
        await request(running.app.getHttpServer()).post(`/photos/${how}/b${tag}-fail-${how}?fail=true`).expect(400);
        expect(await rows(running, how, `b${tag}-fail-${how}`)).toBe(1);
      });
    });

    describe('on AdvancedAlchemyModule (after: the registration lines swapped, no commitMode given)', () => {
      let running: Running;
      beforeAll(async () => {
        running = await start(after);
      });
      afterAll(() => running?.app.close());

      it.each(WRITE_PATHS)('stores a row written through %s (autocommit by default)', async (how) => {
        await request(running.app.getHttpServer()).post(`/photos/${how}/a${tag}-ok-${how}`).expect(201);
        expect(await rows(running, how, `a${tag}-ok-${how}`)).toBe(1);
      });

      it.each(WRITE_PATHS)('leaves no row written through %s when the request then fails', async (how) => {
        await request(running.app.getHttpServer()).post(`/photos/${how}/a${tag}-fail-${how}?fail=true`).expect(400);
        expect(await rows(running, how, `a${tag}-fail-${how}`)).toBe(0);
      });

      it("runs dataSource.transaction() as a savepoint of the request's transaction", async () => {
        await request(running.app.getHttpServer()).post(`/photos/savepoint/a${tag}-outer/a${tag}-inner`).expect(201);
        expect(await running.photos(`a${tag}-outer`)).toBe(1);
        expect(await running.photos(`a${tag}-inner`)).toBe(0);
      });
    });
  });
});
