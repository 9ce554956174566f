import type { INestApplication } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import {
  AdvancedAlchemyModule,
  ImproperConfigurationError,
  type AdvancedAlchemyModuleOptions,
  type EntryPointsOptions,
} from 'nestjs-advanced-alchemy';
import { createTestDatabase, openProbe, type DatabaseProbe, type TestDatabase } from 'nestjs-advanced-alchemy/testing';
import { COMMIT_ROWS } from '../commit/fixtures/commit-row.entity';
import { newMarker } from '../commit/fixtures/markers';
import { RowEvent, startEventsApp } from './fixtures/events-app';

const config = { connectionString: 'sqlite:///:memory:' };

// `entryPoints` names each entry point's rule; a mistake in it stops the application at startup.
describe('entryPoints option', () => {
  describe.each([
    [
      { queue: {} },
      /unknown entry point "queue"; the entry points are "graphql", "queues", "schedule", "events", "messages"/,
    ],
    [{ schedule: true }, /entryPoints\.schedule must be false \(no unit of work\) or a rule/],
    [{ events: { commitMode: 'sometimes' } }, /entryPoints\.events\.commitMode must be one of "manual", "autocommit"/],
    [{ queues: { mode: 'manual' } }, /entryPoints\.queues has an unknown field "mode"/],
    ['all', /entryPoints must be an object naming entry points, got "all"/],
  ])('%j', (entryPoints, message) => {
    const options = { entryPoints } as unknown as AdvancedAlchemyModuleOptions;
    it('forRoot fails at once, naming the mistake and the fix', () => {
      expect(() => AdvancedAlchemyModule.forRoot(config, options)).toThrow(ImproperConfigurationError);
      expect(() => AdvancedAlchemyModule.forRoot(config, options)).toThrow(message);
      expect(() => AdvancedAlchemyModule.forRoot(config, options)).toThrow(/e\.g\. entryPoints: \{ queues:/);
    });
    it('forRootAsync fails at once too', () => {
      expect(() => AdvancedAlchemyModule.forRootAsync({ ...options, useFactory: () => config })).toThrow(message);
    });
  });

  describe('rules at run time (event listeners called outside any unit of work)', () => {
    let database: TestDatabase;
    let probe: DatabaseProbe;
    const apps: INestApplication[] = [];
    beforeAll(async () => {
      database = await createTestDatabase('sqlite', 'entry_rules');
    });
    afterAll(async () => {
      for (const app of apps) await app.close();
      await probe?.close();
      await database?.drop();
    });

    async function listenerRows(entryPoints: EntryPointsOptions | undefined): Promise<number> {
      const app = await startEventsApp(database.connectionString, entryPoints);
      apps.push(app);
      probe ??= await openProbe(database.connectionString);
      const marker = newMarker();
      await app.get(EventEmitter2).emitAsync('row.write', new RowEvent(marker));
      return probe.count(COMMIT_ROWS, 'marker = ?', [`${marker}:listener`]);
    }

    it("default: a unit of work, committed by the bind key's autocommit", async () => {
      expect(await listenerRows(undefined)).toBe(1);
    });
    it("{ commitMode: 'manual' } replaces the bind key's mode: nothing committed by itself", async () => {
      expect(await listenerRows({ events: { commitMode: 'manual' } })).toBe(0);
    });
    it('false: no unit of work (the session refuses to work outside one)', async () => {
      expect(await listenerRows({ events: false })).toBe(0);
    });
    it('another entry point turned off leaves this one alone', async () => {
      expect(await listenerRows({ queues: false, schedule: { commitMode: 'manual' } })).toBe(1);
    });
  });
});
