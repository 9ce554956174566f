import { createTestDatabase, type TestDatabase } from 'nestjs-advanced-alchemy/testing';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

// @nestjs/bullmq, bullmq, @nestjs/bull, bull, @nestjs/schedule, @nestjs/event-emitter and @nestjs/cqrs are optional peers: an
// application without them loads the library, configures entryPoints and runs sessions; only
// AfterCommitEvents needs @nestjs/event-emitter, and says so.
describe('without the queue, schedule, event and CQRS packages installed', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('sqlite', 'entry_optional_peers');
  });
  afterAll(() => database?.drop());

  it('the library starts and works; AfterCommitEvents names the package to install', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        join(__dirname, '..', 'reliability', 'fixtures', 'run-typescript.mjs'),
        join(__dirname, 'fixtures', 'without-integrations.ts'),
      ],
      {
        cwd: join(__dirname, '..', '..'),
        timeout: 45_000,
        env: {
          ...process.env,
          HIDDEN_PACKAGES:
            '@nestjs/bullmq,bullmq,@nestjs/bull,bull,ioredis,@nestjs/schedule,@nestjs/event-emitter,@nestjs/cqrs',
          DATABASE_URL: database.connectionString,
        },
      },
    );
    const lines = stdout.trim().split('\n');
    const result = JSON.parse(lines[lines.length - 1]) as Record<string, unknown>;
    expect(result).toEqual({
      resolvable: [],
      rows: [{ one: 1 }],
      afterCommit: {
        name: 'ImproperConfigurationError',
        message: expect.stringContaining('npm install @nestjs/event-emitter') as string,
      },
    });
  }, 60_000);
});
