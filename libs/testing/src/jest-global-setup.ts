import { AVAILABLE_VARIABLE, SERVER_URL_VARIABLES, serverUrl, type TestDatabaseKind } from './database-targets';
import { openProbe } from './probe';

/**
 * Finds which database servers are reachable before the suites run. SQLite always runs; a server
 * that cannot be reached is skipped with a notice, unless ALCHEMY_REQUIRE_DATABASES names it (CI
 * sets it, so there an unreachable server fails the run).
 */
export async function detectTestDatabases(): Promise<void> {
  if (process.env[AVAILABLE_VARIABLE] !== undefined) return;
  const required = (process.env.ALCHEMY_REQUIRE_DATABASES ?? '').split(',').filter(Boolean);
  const available: TestDatabaseKind[] = ['sqlite'];
  const skipped: string[] = [];
  for (const kind of ['postgres', 'mariadb'] as const) {
    try {
      const probe = await openProbe(serverUrl(kind));
      await probe.query('SELECT 1');
      await probe.close();
      available.push(kind);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (required.includes(kind)) {
        throw new Error(
          `${kind} is required (ALCHEMY_REQUIRE_DATABASES) but unreachable at ${SERVER_URL_VARIABLES[kind]}: ${reason}`,
          { cause: error },
        );
      }
      skipped.push(`${kind} (${reason.split('\n')[0]})`);
    }
  }
  process.env[AVAILABLE_VARIABLE] = available.join(',');
  process.stdout.write(`\nDatabases under test: ${available.join(', ')}\n`);
  if (skipped.length) process.stdout.write(`Skipped (unreachable): ${skipped.join('; ')}\n`);
}

// Jest's globalSetup takes the default export; the package exports the named one, which an ES
// module importing this CommonJS build can see (a re-exported default is invisible to it).
export default detectTestDatabases;
