import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { DatabaseKind } from '../../config/connection-string';
import type { Finding } from './finding';
import { firstLine } from './node-checks';

/** The npm package TypeORM loads for each kind (better-sqlite3 has checks of its own). */
const SERVER_DRIVERS: Record<Exclude<DatabaseKind, 'sqlite'>, 'pg' | 'mysql2'> = {
  postgres: 'pg',
  mysql: 'mysql2',
  mariadb: 'mysql2',
};

/** One finding per server driver the configured kinds need: installed in the project and loadable. */
export function checkServerDrivers(projectDirectory: string, kinds: readonly DatabaseKind[]): Finding[] {
  const fromProject = createRequire(join(projectDirectory, 'noop.js'));
  const packages = new Set(kinds.flatMap((kind) => (kind === 'sqlite' ? [] : [SERVER_DRIVERS[kind]])));
  return [...packages].map((name) => {
    const users = kinds.filter((kind) => kind !== 'sqlite' && SERVER_DRIVERS[kind] === name);
    let version: string;
    try {
      version = (fromProject(`${name}/package.json`) as { version: string }).version;
    } catch {
      return {
        level: 'fail',
        subject: `driver ${name}`,
        detail: `not installed, and a bind key is ${users.join(', ')}`,
        fix: `npm install ${name}`,
      };
    }
    try {
      fromProject(name);
    } catch (error) {
      return {
        level: 'fail',
        subject: `driver ${name} ${version}`,
        detail: `installed but does not load: ${firstLine(error)}`,
        fix: `npm install ${name}@latest`,
      };
    }
    return {
      level: 'ok',
      subject: `driver ${name} ${version}`,
      detail: `installed (for ${[...new Set(users)].join(', ')})`,
    };
  });
}
