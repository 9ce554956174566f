import { Controller, Injectable, Module, Param, Post, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import {
  AdvancedAlchemy,
  AdvancedAlchemyModule,
  getDatabaseMigrationPlugin,
  ImproperConfigurationError,
  InjectSession,
  SessionScopeError,
  type Session,
} from 'nestjs-advanced-alchemy';
import { testDatabaseKinds, useTestApp } from 'nestjs-advanced-alchemy/testing';
import { bootApp } from '../support/boot-app';
import { Item, ITEMS } from '../support/items';

@Injectable()
class EntriesService {
  constructor(@InjectSession() readonly session: Session) {}
  add(label: string): Promise<Item> {
    return this.session.getRepository(Item).save({ label });
  }
  countMine(label: string): Promise<number> {
    return this.session.getRepository(Item).countBy({ label });
  }
}

@Controller('entries')
class EntriesController {
  constructor(private readonly entries: EntriesService) {}
  @Post(':label') async create(@Param('label') label: string) {
    await this.entries.add(label);
    return { ok: true };
  }
}

describe.each(testDatabaseKinds())('withSession and standalone sessions on %s', (kind) => {
  // Manual commit mode, so only withSession commits.
  const testApp = useTestApp({
    kind,
    label: 'with_session',
    entities: [Item],
    config: { commitMode: 'manual' },
    controllers: [EntriesController],
    providers: [EntriesService],
  });
  let alchemy: AdvancedAlchemy;
  let entries: EntriesService;
  beforeAll(() => {
    alchemy = testApp.alchemy;
    entries = testApp.app.get(EntriesService);
  });

  /** Another application on the suite's database, to be closed by the test. */
  async function bootEntriesApp(): Promise<INestApplication> {
    @Module({
      imports: [
        AdvancedAlchemyModule.forRoot({ connectionString: testApp.database.connectionString, commitMode: 'manual' }),
      ],
    })
    class ClosingModule {}
    return bootApp(ClosingModule);
  }

  const rows = (label: string) => testApp.probe.count(ITEMS, 'label = ?', [label]);

  it('commits when the callback resolves, through the same session the injected proxy uses', async () => {
    const result = await alchemy.withSession(async (session) => {
      await entries.add('with-commit');
      // The service's proxy and the callback's session are one session: it sees its own uncommitted row.
      expect(session.info).toBe(entries.session.info);
      expect(session.info).toBe(alchemy.getSession().info);
      expect(await session.getRepository(Item).countBy({ label: 'with-commit' })).toBe(1);
      expect(await rows('with-commit')).toBe(0);
      return 'done';
    });
    expect(result).toBe('done');
    expect(await rows('with-commit')).toBe(1);
  });

  it('rolls back when the callback throws, and rethrows', async () => {
    await expect(
      alchemy.withSession('default', async () => {
        await entries.add('with-rollback');
        expect(await entries.countMine('with-rollback')).toBe(1);
        throw new Error('callback failed');
      }),
    ).rejects.toThrow('callback failed');
    expect(await rows('with-rollback')).toBe(0);
  });

  it('gives each withSession call a session of its own', async () => {
    const infos = await Promise.all([
      alchemy.withSession(async (session) => session.info),
      alchemy.withSession(async (session) => session.info),
    ]);
    expect(infos[0]).not.toBe(infos[1]);
  });

  it('throws SessionScopeError, pointing at withSession, when the proxy is used outside any scope', () => {
    expect(() => entries.session.getRepository(Item)).toThrow(SessionScopeError);
    expect(() => alchemy.getSession()).toThrow(/withSession/);
    expect(() => entries.session.inTransaction).toThrow(SessionScopeError);
  });

  it('still gives requests their own sessions alongside withSession', async () => {
    // Manual mode: the request's row is discarded, while withSession commits its own.
    await request(testApp.url).post('/entries/request-manual').expect(201);
    await alchemy.withSession(() => entries.add('beside-request'));
    expect(await rows('request-manual')).toBe(0);
    expect(await rows('beside-request')).toBe(1);
  });

  it('creates standalone sessions with AlchemyConfig.createSessionMaker()', async () => {
    const makeSession = alchemy.config[0].createSessionMaker();
    const session = makeSession();
    const other = makeSession();
    expect(other).not.toBe(session);
    await other.close();

    expect(session.inTransaction).toBe(false);
    await session.getRepository(Item).save({ label: 'standalone-committed' });
    expect(session.inTransaction).toBe(true);
    await session.commit();
    expect(await rows('standalone-committed')).toBe(1);

    await session.getRepository(Item).save({ label: 'standalone-uncommitted' });
    await session.close();
    expect(session.isActive).toBe(false);
    expect(await rows('standalone-uncommitted')).toBe(0);
  });

  it('returns the AdvancedAlchemy from getDatabaseMigrationPlugin(app)', () => {
    expect(getDatabaseMigrationPlugin(testApp.app)).toBe(alchemy);
  });

  it('rejects getDatabaseMigrationPlugin for an app without the module', async () => {
    @Module({})
    class PlainModule {}
    const plain = (await Test.createTestingModule({ imports: [PlainModule] }).compile()).createNestApplication({
      logger: false,
    });
    await plain.init();
    try {
      expect(() => getDatabaseMigrationPlugin(plain)).toThrow(ImproperConfigurationError);
      expect(() => getDatabaseMigrationPlugin(plain)).toThrow(/AdvancedAlchemyModule/);
    } finally {
      await plain.close();
    }
  });

  it('destroys the DataSource at app.close(), after which closeEngines() is a no-op', async () => {
    const closing = await bootEntriesApp();
    const closingAlchemy = closing.get(AdvancedAlchemy);
    const dataSource = closingAlchemy.getDataSource();
    expect(dataSource.isInitialized).toBe(true);

    await closing.close();
    expect(dataSource.isInitialized).toBe(false);
    await expect(closingAlchemy.closeEngines()).resolves.toBeUndefined();
    await expect(closingAlchemy.config[0].closeEngines()).resolves.toBeUndefined();
    // The app of the other tests is untouched: it has a DataSource of its own.
    expect(alchemy.getDataSource().isInitialized).toBe(true);
  });

  it('survives closeEngines() twice before app.close()', async () => {
    const closing = await bootEntriesApp();
    const closingAlchemy = closing.get(AdvancedAlchemy);
    const dataSource = closingAlchemy.getDataSource();

    await expect(closingAlchemy.closeEngines()).resolves.toBeUndefined();
    await expect(closingAlchemy.closeEngines()).resolves.toBeUndefined();
    expect(dataSource.isInitialized).toBe(false);
    await expect(closing.close()).resolves.toBeUndefined();
  });
});
