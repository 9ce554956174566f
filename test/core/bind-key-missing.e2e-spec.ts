// @InjectSession records the keys it is given process-wide (per jest test file) when the decorator
// runs, so the undeclared key lives in a file of its own and cannot leak into the other suites.
import { Controller, Get, Injectable, Module, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { Column, DataSource, Entity, PrimaryGeneratedColumn } from 'typeorm';
import {
  AdvancedAlchemyModule,
  ImproperConfigurationError,
  InjectDataSource,
  InjectSession,
  type Session,
} from 'nestjs-advanced-alchemy';
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from 'nestjs-advanced-alchemy/testing';
import { bootApp } from '../support/boot-app';

@Entity('bkm_notes')
class Note {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 60 }) title!: string;
}

/** Asks for a bind key no configuration declares. */
@Injectable()
class MissingKeyConsumer {
  constructor(@InjectSession('missing') readonly session: Session) {}
}

@Controller('ghost')
class GhostDataSourceController {
  constructor(@InjectDataSource('ghost') readonly dataSource: DataSource) {}
  @Get() get() {
    return 'unreachable';
  }
}

@Injectable()
class DefaultKeyConsumer {
  constructor(@InjectSession() readonly session: Session) {}
}

@Controller('notes')
class NotesController {
  constructor(private readonly consumer: DefaultKeyConsumer) {}
  @Get('count') async count() {
    return { count: await this.consumer.session.getRepository(Note).count() };
  }
}

describe.each(testDatabaseKinds())('an undeclared bind key on %s', (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind, 'bind_key_missing');
  });
  afterAll(() => database?.drop());

  // A bootstrap that fails part-way may leave its DataSource open; keep hold of each to close it.
  const opened: DataSource[] = [];
  afterEach(async () => {
    for (const dataSource of opened.splice(0)) if (dataSource.isInitialized) await dataSource.destroy();
  });
  const alchemyModule = () =>
    AdvancedAlchemyModule.forRoot({
      connectionString: database.connectionString,
      entities: [Note],
      createAll: true,
      createDataSource: (options) => {
        const dataSource = new DataSource(options);
        opened.push(dataSource);
        return dataSource;
      },
    });

  it("fails the bootstrap, naming the class and the key of @InjectSession('missing')", async () => {
    @Module({ imports: [alchemyModule()], providers: [MissingKeyConsumer, DefaultKeyConsumer] })
    class AppModule {}
    const error = await bootstrapError(AppModule);
    expect(error).toBeInstanceOf(ImproperConfigurationError);
    const message = (error as Error).message;
    expect(message).toContain('MissingKeyConsumer');
    expect(message).toContain("@InjectSession('missing')");
    expect(message).toContain('"default"');
    // The consumer of the declared key is not blamed.
    expect(message).not.toContain('DefaultKeyConsumer');
  });

  it('names every offender, controllers and @InjectDataSource included', async () => {
    @Module({ imports: [alchemyModule()], providers: [MissingKeyConsumer], controllers: [GhostDataSourceController] })
    class AppModule {}
    const message = ((await bootstrapError(AppModule)) as Error).message;
    expect(message).toContain("MissingKeyConsumer uses @InjectSession('missing')");
    expect(message).toContain("GhostDataSourceController uses @InjectDataSource('ghost')");
  });

  it('still boots an app whose providers only use declared keys', async () => {
    @Module({ imports: [alchemyModule()], providers: [DefaultKeyConsumer], controllers: [NotesController] })
    class AppModule {}
    const app = await bootApp(AppModule);
    try {
      await request(app.getHttpServer()).get('/notes/count').expect(200, { count: 0 });
    } finally {
      await app.close();
    }
  });
});

/** Compiles and initialises the module; returns what that threw (closing whatever was opened). */
async function bootstrapError(rootModule: new () => unknown): Promise<unknown> {
  let app: INestApplication | undefined;
  try {
    const moduleRef = await Test.createTestingModule({ imports: [rootModule] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
  } catch (error) {
    return error;
  } finally {
    await app?.close();
  }
  throw new Error('the application started although a provider injects an undeclared bind key');
}
