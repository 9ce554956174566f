import { createTestDatabase, type TestDatabase } from 'nestjs-advanced-alchemy/testing';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const GRAPHQL_PACKAGES = [
  '@nestjs/graphql',
  '@nestjs/apollo',
  '@nestjs/mercurius',
  '@apollo/server',
  'mercurius',
  'graphql',
];

// The GraphQL packages are optional peers: without them the library loads and HTTP works as before.
describe('without the GraphQL packages installed', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('sqlite', 'graphql_optional_peer');
  });
  afterAll(() => database?.drop());

  it('the library loads and an HTTP route commits', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        join(__dirname, '..', '..', 'reliability', 'fixtures', 'run-typescript.mjs'),
        join(__dirname, 'fixtures', 'without-graphql-packages.ts'),
      ],
      {
        cwd: join(__dirname, '..', '..', '..'),
        timeout: 45_000,
        env: { ...process.env, HIDDEN_PACKAGES: GRAPHQL_PACKAGES.join(','), DATABASE_URL: database.connectionString },
      },
    );
    const lines = stdout.trim().split('\n');
    expect(JSON.parse(lines[lines.length - 1])).toEqual({ resolvable: false, status: 201, rows: [{ name: 'kept' }] });
  }, 60_000);
});
