import { createTestDatabase, type TestDatabase } from 'nestjs-advanced-alchemy/testing';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

// @opentelemetry/api is an optional peer: an application without it loads the library, runs
// sessions and still gets the diagnostics channel events; only `telemetry: true` needs it, and says so.
describe('without @opentelemetry/api installed', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('sqlite', 'otel_optional_peer');
  });
  afterAll(() => database?.drop());

  async function runChild(hidden: string[]) {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        join(__dirname, '..', 'reliability', 'fixtures', 'run-typescript.mjs'),
        join(__dirname, 'fixtures', 'without-otel-api.ts'),
      ],
      {
        cwd: join(__dirname, '..', '..'),
        timeout: 45_000,
        env: { ...process.env, HIDDEN_PACKAGES: hidden.join(','), DATABASE_URL: database.connectionString },
      },
    );
    const lines = stdout.trim().split('\n');
    return JSON.parse(lines[lines.length - 1]) as {
      resolvable: boolean;
      off: { name: string; message: string; rows?: unknown; events?: string[] };
      on: { name: string; message: string; events?: string[] };
    };
  }

  it('the library works with telemetry off; telemetry: true fails startup naming the package to install', async () => {
    const [without, withApi] = await Promise.all([runChild(['@opentelemetry/api']), runChild([])]);
    expect(without.resolvable).toBe(false);
    expect(without.off).toEqual({ name: 'started', message: '', rows: [{ one: 1 }], events: ['commit'] });
    expect(without.on.name).toBe('ImproperConfigurationError');
    expect(without.on.message).toContain('npm install @opentelemetry/api');
    // Where the package can be found the same application starts with telemetry on.
    expect(withApi.resolvable).toBe(true);
    expect(withApi.on).toEqual({ name: 'started', message: '', rows: [{ one: 1 }], events: ['commit'] });
  }, 60_000);
});
