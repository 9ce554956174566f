import { readFileSync } from 'node:fs';
import { checkNode, checkSqliteDriver } from './node-checks';

// The repository's node_modules holds better-sqlite3 12.x on Node 20 and 13.x while CI runs Node 24
// (.ci/node24.sh); the Node version is the parameter, so each pairing is checked against the real package.
const ROOT = process.cwd();
const INSTALLED_MAJOR = Number(
  (
    JSON.parse(readFileSync(require.resolve('better-sqlite3/package.json'), 'utf8')) as { version: string }
  ).version.split('.')[0],
);
const with12 = INSTALLED_MAJOR === 12 ? describe : describe.skip;
const with13 = INSTALLED_MAJOR === 13 ? describe : describe.skip;

describe('checkNode', () => {
  it('accepts 20.19 and later, refuses older with the fix', () => {
    expect(checkNode('20.19.0').level).toBe('ok');
    expect(checkNode('24.21.0').level).toBe('ok');
    const old = checkNode('20.18.3');
    expect(old.level).toBe('fail');
    expect(old.fix).toContain('20.19');
  });
});

with12('checkSqliteDriver with better-sqlite3 12.x installed', () => {
  it('Node 20: ok, and the addon loads', () => {
    expect(checkSqliteDriver(ROOT, true, '20.20.2')).toMatchObject({ level: 'ok' });
  });
  it('Node 24.21 and a SQLite bind key: FAIL (12.x aborts there), fix names 13, TypeORM 1.1.4 and the override', () => {
    const finding = checkSqliteDriver(ROOT, true, '24.21.0');
    expect(finding?.level).toBe('fail');
    expect(finding?.detail).toContain('aborts');
    expect(finding?.fix).toContain('better-sqlite3@13');
    expect(finding?.fix).toContain('typeorm@^1.1.4');
    expect(finding?.fix).toContain('"overrides": { "better-sqlite3": "$better-sqlite3" }');
  });
  it('Node 24.21 and no SQLite bind key: only a warning', () => {
    expect(checkSqliteDriver(ROOT, false, '24.21.0')?.level).toBe('warn');
  });
  it('Node 22: a warning naming 13.x', () => {
    const finding = checkSqliteDriver(ROOT, true, '22.12.0');
    expect(finding?.level).toBe('warn');
    expect(finding?.fix).toContain('better-sqlite3@13');
  });
});

with13('checkSqliteDriver with better-sqlite3 13.x installed', () => {
  it('Node 20: FAIL (13.x does not run there), fix names 12', () => {
    const finding = checkSqliteDriver(ROOT, true, '20.20.2');
    expect(finding?.level).toBe('fail');
    expect(finding?.fix).toBe('npm install better-sqlite3@12');
  });
  it('this Node (24): ok, and the addon loads', () => {
    expect(checkSqliteDriver(ROOT, true)).toMatchObject({ level: 'ok' });
  });
});
