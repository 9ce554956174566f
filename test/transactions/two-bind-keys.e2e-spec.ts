import { BadRequestException, Controller, Module, Param, Post, type INestApplication } from '@nestjs/common';
import request from 'supertest';
import { AdvancedAlchemyModule, InjectSession, type Session } from 'nestjs-advanced-alchemy';
import {
  createTestDatabase,
  openProbe,
  testDatabaseKinds,
  type DatabaseProbe,
  type TestDatabase,
} from 'nestjs-advanced-alchemy/testing';
import { COMMIT_ROWS, CommitRow } from '../commit/fixtures/commit-row.entity';
import { newMarker } from '../commit/fixtures/markers';
import { bootApp } from '../support/boot-app';

@Controller('two-binds')
class TwoBindsUnitsController {
  constructor(
    @InjectSession() private readonly main: Session,
    @InjectSession('audit') private readonly audit: Session,
  ) {}

  /**
   * A REQUIRES_NEW unit of 'default' that also writes through 'audit': its 'default' session is
   * new, its 'audit' session is the request's. The request then fails (400).
   */
  @Post(':marker') async run(@Param('marker') marker: string) {
    await this.audit.getRepository(CommitRow).insert({ marker: `${marker}-audit-before` });
    await this.main.transaction(
      async () => {
        await this.main.getRepository(CommitRow).insert({ marker: `${marker}-unit` });
        await this.audit.getRepository(CommitRow).insert({ marker: `${marker}-audit-in-unit` });
      },
      { propagation: 'REQUIRES_NEW' },
    );
    throw new BadRequestException('the request fails after its unit');
  }
}

describe.each(testDatabaseKinds())('units with two bind keys on %s', (kind) => {
  let mainDatabase: TestDatabase;
  let auditDatabase: TestDatabase;
  let app: INestApplication;
  let mainProbe: DatabaseProbe;
  let auditProbe: DatabaseProbe;

  beforeAll(async () => {
    mainDatabase = await createTestDatabase(kind, 'tx_main');
    auditDatabase = await createTestDatabase(kind, 'tx_audit');
    const bind = (bindKey: string, database: TestDatabase) => ({
      bindKey,
      connectionString: database.connectionString,
      entities: [CommitRow],
      createAll: true,
      commitMode: 'autocommit' as const,
    });
    @Module({
      imports: [AdvancedAlchemyModule.forRoot([bind('default', mainDatabase), bind('audit', auditDatabase)])],
      controllers: [TwoBindsUnitsController],
    })
    class TwoBindsModule {}
    app = await bootApp(TwoBindsModule);
    mainProbe = await openProbe(mainDatabase.connectionString);
    auditProbe = await openProbe(auditDatabase.connectionString);
  });
  afterAll(async () => {
    await mainProbe?.close();
    await auditProbe?.close();
    await app?.close();
    await mainDatabase?.drop();
    await auditDatabase?.drop();
  });

  it("a REQUIRES_NEW unit of one bind key commits alone; its writes on the other bind key are the request's, rolled back with it", async () => {
    const marker = newMarker();
    await request(app.getHttpServer()).post(`/two-binds/${marker}`).expect(400);
    expect(await mainProbe.count(COMMIT_ROWS, 'marker = ?', [`${marker}-unit`])).toBe(1);
    expect(await auditProbe.count(COMMIT_ROWS, 'marker LIKE ?', [`${marker}-%`])).toBe(0);
  });
});
