import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AdvancedAlchemyModule, ImproperConfigurationError, type AlchemyConfigOptions } from 'nestjs-advanced-alchemy';
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from 'nestjs-advanced-alchemy/testing';
import { startReplicaApp } from './fixtures/replica-app';
import { eachKind } from '../support/each-kind';

// What `replicas` and `routing` accept, checked at startup, through forRoot and forRootAsync alike.

const PASSWORD = 'ReplicaSecret7';

function declare(options: AlchemyConfigOptions): () => unknown {
  return () => AdvancedAlchemyModule.forRoot(options);
}

describe('replicas configuration', () => {
  it('is a startup error on SQLite, saying why and what to do', () => {
    const bad = declare({ connectionString: 'sqlite://:memory:', replicas: ['sqlite://:memory:'] });
    expect(bad).toThrow(ImproperConfigurationError);
    expect(bad).toThrow(
      /bind key "default": replicas are not supported on SQLite .* Remove replicas, or use PostgreSQL or MySQL\/MariaDB/,
    );
  });

  it('is a startup error on SQLite through forRootAsync too', async () => {
    const compile = Test.createTestingModule({
      imports: [
        AdvancedAlchemyModule.forRootAsync({
          useFactory: () => ({
            connectionString: 'sqlite://:memory:',
            replicas: [`postgresql://u:${PASSWORD}@127.0.0.1:1/db`],
          }),
        }),
      ],
    }).compile();
    await expect(compile).rejects.toThrow(/replicas are not supported on SQLite/);
  });

  it('refuses a replica of another kind than its primary, without showing its password', () => {
    const bad = declare({
      connectionString: 'postgresql://u@127.0.0.1:5432/db',
      replicas: [`mariadb://u:${PASSWORD}@127.0.0.1:3306/db`],
    });
    expect(bad).toThrow(
      /replicas\[0\] \(mariadb:\/\/u:\*\*\*@127\.0\.0\.1:3306\/db\) is mariadb, but the primary is postgres/,
    );
    expect(bad).not.toThrow(new RegExp(PASSWORD));
  });

  it('refuses stickyAfterWrite: false, a bad replica entry, an unknown selection and an unknown routing option', () => {
    const base = {
      connectionString: 'postgresql://u@127.0.0.1:5432/db',
      replicas: ['postgresql://u@127.0.0.1:5433/db'],
    };
    expect(declare({ ...base, routing: { stickyAfterWrite: false as unknown as true } })).toThrow(
      /routing\.stickyAfterWrite: stickyAfterWrite can only be true/,
    );
    expect(declare({ ...base, replicas: [{ connectionString: 'postgresql://u@h/db', poolSize: 0 }] })).toThrow(
      /replicas: replicas must be an array of connection strings or \{ connectionString, poolSize\? \}/,
    );
    expect(declare({ ...base, routing: { selection: 'fastest' as 'random' } })).toThrow(/routing\.selection/);
    expect(declare({ ...base, routing: { sticky: true } as never })).toThrow(/routing\.sticky is not a known option/);
  });
});

eachKind(testDatabaseKinds().filter((kind) => kind === 'postgres'))(
  'a replica that is down at startup (%s)',
  (kind) => {
    let database: TestDatabase;
    beforeAll(async () => {
      database = await createTestDatabase(kind, 'replica-down');
    });
    afterAll(async () => {
      await database?.drop();
    });

    it('does not stop the application: its reads go to the primary and health says the replica is down', async () => {
      const app = await startReplicaApp({
        connectionString: database.connectionString,
        replicas: [{ connectionString: `postgresql://u:${PASSWORD}@127.0.0.1:1/nowhere`, poolSize: 2 }],
        engineConfig: { connectTimeout: 1000 },
      });
      try {
        for (let i = 0; i < 3; i++) {
          const read = await request(app.getHttpServer()).get('/replicas/read').expect(200);
          expect(read.body.standby).toBe(false);
        }
        const health = await request(app.getHttpServer()).get('/replicas/health').expect(200);
        expect(health.body.database.status).toBe('up');
        expect(health.body.database.replicas).toEqual([
          expect.objectContaining({ status: 'down', replica: 'replica 1 (postgresql://u:***@127.0.0.1:1/nowhere)' }),
        ]);
        expect(JSON.stringify(health.body)).not.toContain(PASSWORD);
      } finally {
        await app.close();
      }
    });
  },
);
