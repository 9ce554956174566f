import request from 'supertest';
import { testDatabaseKinds, useTestApp, startTestApp, type TestDatabase } from 'nestjs-advanced-alchemy/testing';
import { databaseExists } from '../support/database-exists';
import { NOTES, NOTES_APP } from '../support/notes';

// The kit's useTestApp: startTestApp in a beforeAll and close() in an afterAll of the enclosing
// describe, read through an object that refuses to be read while no app runs.

describe.each(testDatabaseKinds())('useTestApp on %s', (kind) => {
  let made: TestDatabase | undefined;

  describe('inside its describe', () => {
    const testApp = useTestApp({ kind, label: 'use_app', ...NOTES_APP });

    it('has started the app before the first test, with a probe on its database', async () => {
      made = testApp.database;
      await request(testApp.url).post('/notes').expect(201);
      expect(await testApp.probe.count(NOTES)).toBe(1);
      expect(await databaseExists(testApp.database)).toBe(true);
    });
  });

  it('has closed the app and dropped its database after that describe', async () => {
    expect(made).toBeDefined();
    expect(await databaseExists(made!)).toBe(false);
  });

  // Its only test is skipped, so its beforeAll never runs: the app is never started.
  let neverStarted: { url: string } | undefined;
  describe('a describe whose tests are all skipped', () => {
    neverStarted = useTestApp({ kind, ...NOTES_APP });
    it.skip('does not run', () => undefined);
  });

  it('throws, naming what was read, when read where no app runs', () => {
    expect(() => neverStarted!.url).toThrow(/useTestApp: the application is not running \(read "url"/);
  });

  describe('with the options as a function', () => {
    let called = 0;
    const testApp = useTestApp(() => {
      called += 1;
      return { kind, label: 'use_app_fn', ...NOTES_APP };
    });

    it('calls it once, in the beforeAll', async () => {
      expect(called).toBe(1);
      await request(testApp.url).get('/notes/ping').expect(200);
    });
  });
});

describe.each(testDatabaseKinds().filter((kind) => kind !== 'sqlite'))('bindKeyKinds, default on %s', (kind) => {
  const testApp = useTestApp({
    kind,
    label: 'use_app_kinds',
    bindKeys: ['default', 'audit'],
    bindKeyKinds: { audit: 'sqlite' },
    ...NOTES_APP,
  });

  it('puts each bind key on the database kind it names', () => {
    expect(testApp.database.kind).toBe(kind);
    expect(testApp.databases.audit.kind).toBe('sqlite');
    expect(testApp.probes.audit.kind).toBe('sqlite');
    expect(testApp.dataSource('audit').options.type).toBe('better-sqlite3');
  });
});

describe('bindKeyKinds naming a bind key that is not in bindKeys', () => {
  it('is refused before anything is made, naming the key and the fix', async () => {
    await expect(
      startTestApp({ kind: 'sqlite', bindKeys: ['default'], bindKeyKinds: { audit: 'sqlite' }, ...NOTES_APP }),
    ).rejects.toThrow(/bindKeyKinds names "audit", which is not one of bindKeys \(default\); add it to bindKeys/);
  });
});
