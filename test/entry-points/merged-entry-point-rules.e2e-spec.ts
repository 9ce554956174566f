import { Injectable, Module, type INestApplication } from '@nestjs/common';
import { EventEmitter2, EventEmitterModule, OnEvent } from '@nestjs/event-emitter';
import { Test } from '@nestjs/testing';
import { AdvancedAlchemyModule, ImproperConfigurationError, type EntryPointsOptions } from 'nestjs-advanced-alchemy';
import { createTestDatabase, openProbe, type DatabaseProbe, type TestDatabase } from 'nestjs-advanced-alchemy/testing';
import { COMMIT_ROWS, CommitRow } from '../commit/fixtures/commit-row.entity';
import { newMarker } from '../commit/fixtures/markers';
import { RowWriter } from '../commit/fixtures/row-writer.service';

@Injectable()
class MergedRuleListener {
  constructor(private readonly rows: RowWriter) {}

  @OnEvent('merged.write')
  async write(marker: string): Promise<void> {
    await this.rows.write(marker);
  }
}

// `entryPoints` given in several AdvancedAlchemyModule imports (one per bind key, say) are merged;
// two imports stating different rules for one entry point stop the application at startup.
describe('entryPoints of several AdvancedAlchemyModule imports', () => {
  let main: TestDatabase;
  let audit: TestDatabase;
  let probe: DatabaseProbe | undefined;
  const apps: INestApplication[] = [];

  beforeAll(async () => {
    main = await createTestDatabase('sqlite', 'merged_rules');
    audit = await createTestDatabase('sqlite', 'merged_rules_audit');
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await probe?.close();
    await main?.drop();
    await audit?.drop();
  });

  async function start(mainRules: EntryPointsOptions | undefined, auditRules: EntryPointsOptions | undefined) {
    @Module({
      imports: [
        AdvancedAlchemyModule.forRoot(
          { connectionString: main.connectionString, entities: [CommitRow], createAll: true, commitMode: 'autocommit' },
          { entryPoints: mainRules },
        ),
        AdvancedAlchemyModule.forRoot(
          { bindKey: 'audit', connectionString: audit.connectionString, commitMode: 'autocommit' },
          { entryPoints: auditRules },
        ),
        EventEmitterModule.forRoot(),
      ],
      providers: [RowWriter, MergedRuleListener],
    })
    class TwoImportsModule {}
    const moduleRef = await Test.createTestingModule({ imports: [TwoImportsModule] }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    apps.push(app);
    await app.init();
    return app;
  }

  async function listenerRows(app: INestApplication): Promise<number> {
    probe ??= await openProbe(main.connectionString);
    const marker = newMarker();
    await app.get(EventEmitter2).emitAsync('merged.write', marker);
    return probe.count(COMMIT_ROWS, 'marker = ?', [marker]);
  }

  it('a rule stated in the second import applies to the whole application', async () => {
    const app = await start(undefined, { events: { commitMode: 'manual' } });
    expect(await listenerRows(app)).toBe(0);
  });

  it('rules of different entry points in each import both apply', async () => {
    const app = await start({ queues: false }, { events: { commitMode: 'manual' } });
    expect(await listenerRows(app)).toBe(0);
  });

  it('the same rule stated in both imports is no conflict', async () => {
    const app = await start({ events: { commitMode: 'autocommit' } }, { events: { commitMode: 'autocommit' } });
    expect(await listenerRows(app)).toBe(1);
  });

  it('different rules for one entry point: a startup error naming both imports', async () => {
    const starting = start({ events: false }, { events: { commitMode: 'manual' } });
    await expect(starting).rejects.toThrow(ImproperConfigurationError);
    await expect(starting).rejects.toThrow(
      `entryPoints.events is false in the import of bind key "default" and { commitMode: 'manual' } in the import of bind key "audit"`,
    );
  });
});
