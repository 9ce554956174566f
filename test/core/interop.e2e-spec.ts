import { Controller, Get, Injectable, Module, Param, Post, type Type } from '@nestjs/common';
import { InjectRepository, TypeOrmModule } from '@nestjs/typeorm';
import request from 'supertest';
import { DataSource, type Repository } from 'typeorm';
import {
  AdvancedAlchemy,
  AdvancedAlchemyModule,
  getDataSourceToken,
  InjectSession,
  type Session,
} from 'nestjs-advanced-alchemy';
import { testDatabaseKinds, type TestDatabase } from 'nestjs-advanced-alchemy/testing';
import { bootApp, RecordingLogger } from '../support/boot-app';
import { typeOrmModuleOptions } from '../support/typeorm-module-options';
import { useModuleApp } from '../support/use-module-app';
import { Item, ITEMS } from '../support/items';

@Injectable()
class RecordsService {
  constructor(
    @InjectSession() private readonly session: Session,
    @InjectRepository(Item) private readonly repository: Repository<Item>,
  ) {}
  addInSession(label: string) {
    return this.session.getRepository(Item).save({ label });
  }
  /** Through @nestjs/typeorm's repository, which the module binds to the request's session. */
  addThroughRepository(label: string) {
    return this.repository.save({ label });
  }
  countThroughRepository(label: string) {
    return this.repository.countBy({ label });
  }
}

@Controller('records')
class RecordsController {
  constructor(private readonly records: RecordsService) {}
  @Post('session/:label') async viaSession(@Param('label') label: string) {
    await this.records.addInSession(label);
    return { ok: true };
  }
  @Post('session/:label/fail') async viaSessionThenFail(@Param('label') label: string) {
    await this.records.addInSession(label);
    throw new Error('failed after writing through the session');
  }
  @Post('repository/:label') async viaRepository(@Param('label') label: string) {
    await this.records.addThroughRepository(label);
    return { ok: true };
  }
  @Post('repository/:label/fail') async viaRepositoryThenFail(@Param('label') label: string) {
    await this.records.addThroughRepository(label);
    throw new Error('failed after writing through @InjectRepository');
  }
  @Get('repository/:label/count') async count(@Param('label') label: string) {
    return { count: await this.records.countThroughRepository(label) };
  }
}

function interopModule(database: TestDatabase): Type {
  @Module({
    imports: [
      TypeOrmModule.forRoot(typeOrmModuleOptions(database, { entities: [Item] })),
      TypeOrmModule.forFeature([Item]),
      // `DataSource` (the class) is the token @nestjs/typeorm registers its default DataSource under.
      AdvancedAlchemyModule.forRootAsync({
        inject: [DataSource],
        useFactory: (dataSource: DataSource) => [{ dataSource, commitMode: 'autocommit', createAll: true }],
      }),
    ],
    controllers: [RecordsController],
    providers: [RecordsService],
  })
  class AppModule {}
  return AppModule;
}

describe.each(testDatabaseKinds())('@nestjs/typeorm interop on %s', (kind) => {
  const logger = new RecordingLogger();
  const running = useModuleApp(kind, 'interop', interopModule, { logger });

  const rows = (label: string) => running().probe.count(ITEMS, 'label = ?', [label]);

  it("adopts @nestjs/typeorm's DataSource as the default bind key", () => {
    const typeOrmDataSource = running().app.get(DataSource);
    expect(running().app.get(AdvancedAlchemy).getDataSource()).toBe(typeOrmDataSource);
    expect(running().app.get(getDataSourceToken())).toBe(typeOrmDataSource);
  });

  it('commits a session on that DataSource when the request answers 201', async () => {
    await request(running().url).post('/records/session/session-ok').expect(201);
    expect(await rows('session-ok')).toBe(1);
  });

  it('rolls the session back when the request fails', async () => {
    await request(running().url).post('/records/session/session-failed/fail').expect(500);
    expect(await rows('session-failed')).toBe(0);
    // The recording logger hears errors (so its silence at close, below, means something).
    expect(logger.problems.join('\n')).toContain('failed after writing through the session');
  });

  it("binds TypeOrmModule.forFeature's repository to the request's session: a failed request leaves no row", async () => {
    await request(running().url).post('/records/repository/repository-failed/fail').expect(500);
    expect(await rows('repository-failed')).toBe(0);
  });

  it('keeps @InjectRepository working in the same app', async () => {
    await request(running().url).post('/records/repository/repository-ok').expect(201);
    expect(await rows('repository-ok')).toBe(1);
    const response = await request(running().url).get('/records/repository/session-ok/count').expect(200);
    expect(response.body).toEqual({ count: 1 });
  });

  it('closes without errors from either module, and the DataSource ends up destroyed', async () => {
    const closingLogger = new RecordingLogger();
    const closing = await bootApp(interopModule(running().database), closingLogger);
    const alchemy = closing.get(AdvancedAlchemy);
    const dataSource = closing.get(DataSource);
    await request(closing.getHttpServer()).post('/records/session/before-close').expect(201);

    await expect(closing.close()).resolves.toBeUndefined();
    expect(dataSource.isInitialized).toBe(false);
    await expect(alchemy.closeEngines()).resolves.toBeUndefined();
    // @nestjs/typeorm logs (rather than throws) a failed destroy: nothing may have been logged.
    expect(closingLogger.problems).toEqual([]);
    expect(await rows('before-close')).toBe(1);
  });
});
