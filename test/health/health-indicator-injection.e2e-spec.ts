import { Controller, Get, Module, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { AdvancedAlchemyModule, AlchemyHealthIndicator } from 'nestjs-advanced-alchemy';
import {
  createTestDatabase,
  testDatabaseKinds,
  type TestDatabase,
  type TestDatabaseKind,
} from 'nestjs-advanced-alchemy/testing';

@Controller('health')
class HealthController {
  constructor(private readonly databases: AlchemyHealthIndicator) {}
  @Get() check() {
    return this.databases.pingCheck('database');
  }
}

function dataSourceOptions(kind: TestDatabaseKind, connectionString: string): DataSourceOptions {
  if (kind === 'sqlite') return { type: 'better-sqlite3', database: connectionString.replace(/^sqlite:\/\/\//, '') };
  if (kind === 'postgres') return { type: 'postgres', url: connectionString };
  return { type: 'mariadb', url: connectionString.replace(/^mariadb:/, 'mysql:') };
}

// The indicator's own doc comment shows it injected into a terminus health check, and the module
// declares it as a provider; a user's module that imports only the (global) module should be able
// to inject it without declaring it again.
describe.each(testDatabaseKinds())('AlchemyHealthIndicator injected from the module on %s', (kind) => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let app: INestApplication | undefined;

  beforeAll(async () => {
    database = await createTestDatabase(kind, 'health_injection');
    // The test opens the DataSource and hands it over: a failing compile() runs no shutdown hook,
    // so a DataSource the module had opened would stay open and keep Jest running.
    dataSource = await new DataSource(dataSourceOptions(kind, database.connectionString)).initialize();
  });
  afterAll(async () => {
    await app?.close();
    if (dataSource?.isInitialized) await dataSource.destroy();
    await database?.drop();
  });

  it('resolves in a module that does not provide it itself, and reports the bind key up', async () => {
    @Module({ controllers: [HealthController] })
    class HealthModule {}
    const moduleRef = await Test.createTestingModule({
      imports: [AdvancedAlchemyModule.forRoot({ dataSource }), HealthModule],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    const { body } = await request(app.getHttpServer()).get('/health').expect(200);
    expect(body).toMatchObject({ database: { status: 'up', bindKey: 'default' } });
  });
});
