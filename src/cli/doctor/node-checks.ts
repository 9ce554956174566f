import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Finding } from './finding';

/** The lowest Node this package runs on (`engines`): from 20.19, `require()` loads Nest 12's ES modules. */
const LOWEST_NODE: readonly [number, number] = [20, 19];

function versionParts(version: string): [number, number, number] {
  const [major = 0, minor = 0, patch = 0] = version.replace(/^v/, '').split('.').map(Number);
  return [major, minor, patch];
}

export function checkNode(version: string = process.versions.node): Finding {
  const [major, minor] = versionParts(version);
  if (major > LOWEST_NODE[0] || (major === LOWEST_NODE[0] && minor >= LOWEST_NODE[1])) {
    return { level: 'ok', subject: 'Node', detail: `${version} (needs ${LOWEST_NODE.join('.')} or later)` };
  }
  return {
    level: 'fail',
    subject: 'Node',
    detail: `${version}: this package needs ${LOWEST_NODE.join('.')} or later (it loads Nest 12's ES modules with require())`,
    fix: 'install Node 20.19+ (20 or 24 are tested), e.g. `nvm install 24`',
  };
}

/**
 * better-sqlite3 by Node version: 12.x on Node 20 (13.x does not run there); 13.x on Node 22 and
 * later (12.x aborts the process on Node ≥ 24.19 when a prepared statement is garbage-collected).
 * TypeORM declares `^12 || ^13` from 1.1.4; before, 13.x needs an `overrides` entry. `needed`: a bind key is SQLite
 * (or the configuration is unknown), so a problem blocks; else it is only a warning.
 */
export function checkSqliteDriver(
  projectDirectory: string,
  needed: boolean,
  nodeVersion: string = process.versions.node,
): Finding | undefined {
  const fromProject = createRequire(join(projectDirectory, 'noop.js'));
  let installed: string;
  try {
    installed = (fromProject('better-sqlite3/package.json') as { version: string }).version;
  } catch {
    if (!needed) return undefined;
    return {
      level: 'fail',
      subject: 'better-sqlite3',
      detail: 'not installed, and a bind key is SQLite',
      fix: `npm install ${sqliteInstall(nodeVersion)}`,
    };
  }
  const subject = `better-sqlite3 ${installed}`;
  const blocks = needed ? 'fail' : 'warn';
  const [nodeMajor, nodeMinor] = versionParts(nodeVersion);
  const [major] = versionParts(installed);
  const wanted = nodeMajor >= 22 ? 13 : 12;
  if (major !== wanted) {
    const aborts = major === 12 && (nodeMajor > 24 || (nodeMajor === 24 && nodeMinor >= 19));
    const why =
      major > wanted
        ? `${major}.x does not run on Node ${nodeMajor}`
        : aborts
          ? `12.x aborts the process on Node ${nodeVersion} when a prepared statement is garbage-collected (nodejs/node#65446)`
          : `Node ${nodeMajor} wants 13.x (12.x aborts on Node 24.19 and later)`;
    return {
      level: major > wanted || aborts ? blocks : 'warn',
      subject,
      detail: `${why}`,
      fix: `npm install ${sqliteInstall(nodeVersion)}`,
    };
  }
  try {
    // The native addon loads on first use: open an in-memory database to prove it matches this Node.
    const Database = fromProject('better-sqlite3') as new (file: string) => { close(): void };
    new Database(':memory:').close();
  } catch (error) {
    return {
      level: blocks,
      subject,
      detail: `installed but does not load on Node ${nodeVersion}: ${firstLine(error)}`,
      fix: 'npm rebuild better-sqlite3 (it was built for another Node version)',
    };
  }
  return { level: 'ok', subject, detail: `the major for Node ${nodeMajor}, loads` };
}

/** The install line of the right better-sqlite3, with the override Node ≥ 22 needs. */
function sqliteInstall(nodeVersion: string): string {
  if (versionParts(nodeVersion)[0] < 22) return 'better-sqlite3@12';
  return (
    'better-sqlite3@13 typeorm@^1.1.4 (TypeORM accepts 13 from 1.1.4; to keep an older one, add ' +
    '"overrides": { "better-sqlite3": "$better-sqlite3" } to package.json: README, Node versions)'
  );
}

export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}
