import type { INestApplication } from '@nestjs/common';
import { AdvancedAlchemyModule, type AdvancedAlchemyModuleOptions, type CommitMode } from 'nestjs-advanced-alchemy';
import { createTestDatabase, openProbe, type DatabaseProbe, type TestDatabase } from 'nestjs-advanced-alchemy/testing';
import { newMarker } from '../../commit/fixtures/markers';
import { NOTES } from './fixtures/note.entity';
import { postGraphql } from './fixtures/post-graphql';
import { startGraphqlApp } from './fixtures/start-graphql-app';

const ADD = 'mutation ($m: String!, $fail: Boolean!) { addNote(marker: $m, fail: $fail) { id } }';

interface Case {
  name: string;
  commitMode: CommitMode;
  moduleOptions: AdvancedAlchemyModuleOptions;
  fail: boolean;
  stored: number;
}

const CASES: Case[] = [
  {
    name: 'entryPoints.graphql: { commitMode: "manual" } over an autocommit bind key: nothing stored by itself',
    commitMode: 'autocommit',
    moduleOptions: { entryPoints: { graphql: { commitMode: 'manual' } } },
    fail: false,
    stored: 0,
  },
  {
    name: 'entryPoints.graphql: { commitMode: "autocommit" } over a manual bind key: an answered mutation is stored',
    commitMode: 'manual',
    moduleOptions: { entryPoints: { graphql: { commitMode: 'autocommit' } } },
    fail: false,
    stored: 1,
  },
  {
    name: 'entryPoints.graphql: false: no unit, the HTTP request judges by its 200 (a failed mutation is stored)',
    commitMode: 'autocommit',
    moduleOptions: { entryPoints: { graphql: false } },
    fail: true,
    stored: 1,
  },
];

describe.each(CASES)('the GraphQL entry point rule (sqlite): $name', ({ commitMode, moduleOptions, fail, stored }) => {
  let database: TestDatabase;
  let probe: DatabaseProbe;
  let app: INestApplication;

  beforeAll(async () => {
    database = await createTestDatabase('sqlite', 'graphql_rule');
    app = await startGraphqlApp('apollo-express', {
      connectionString: database.connectionString,
      probe: () => probe,
      commitMode,
      moduleOptions,
    });
    probe = await openProbe(database.connectionString);
  });
  afterAll(async () => {
    await app?.close();
    await probe?.close();
    await database?.drop();
  });

  it(`stores ${stored} row(s)`, async () => {
    const marker = newMarker();
    await postGraphql(app, { query: ADD, variables: { m: marker, fail } });
    expect(await probe.count(NOTES, 'marker = ?', [marker])).toBe(stored);
  });
});

describe('a bad entryPoints.graphql', () => {
  it('fails at forRoot, naming the option and the values it takes', () => {
    const bad = { entryPoints: { graphql: { commitMode: 'sometimes' } } } as unknown as AdvancedAlchemyModuleOptions;
    expect(() => AdvancedAlchemyModule.forRoot({ connectionString: 'sqlite://:memory:' }, bad)).toThrow(
      /entryPoints\.graphql\.commitMode must be one of "manual", "autocommit", "autocommit_include_redirect", got "sometimes"/,
    );
  });
});
