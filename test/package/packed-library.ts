import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The repository root. */
export const ROOT = join(__dirname, '..', '..');

/** What `npm pack` reads: a change to any of these makes a new tarball. */
const PACKED_INPUTS = ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', 'tsconfig.json', 'tsconfig.build.json'];
const PACKED_DIRECTORIES = ['src', 'libs/testing/src', 'docs'];

/**
 * `npm run build && npm pack` of the library, as a user installs it: the path of the tarball.
 * Cached under node_modules/.cache by the contents of what it is made from, so the suites that
 * need it share one build; a lock directory keeps two workers from building at once.
 */
export function packLibrary(): string {
  const cache = join(ROOT, 'node_modules', '.cache', 'alchemy-pack');
  const target = join(cache, inputsHash());
  const tarball = () => readdirSync(target).find((name) => name.endsWith('.tgz'));
  if (existsSync(target) && tarball()) return join(target, tarball()!);
  mkdirSync(cache, { recursive: true });
  const lock = join(cache, 'building');
  waitForLock(lock);
  try {
    if (!existsSync(target) || !tarball()) {
      rmSync(join(ROOT, 'dist', 'src'), { recursive: true, force: true });
      rmSync(join(ROOT, 'dist', 'libs'), { recursive: true, force: true });
      execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'pipe' });
      const staging = `${target}.partial`;
      rmSync(staging, { recursive: true, force: true });
      mkdirSync(staging, { recursive: true });
      execFileSync('npm', ['pack', '--pack-destination', staging], { cwd: ROOT, stdio: 'pipe' });
      renameSync(staging, target);
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
  return join(target, tarball()!);
}

function inputsHash(): string {
  const hash = createHash('sha256');
  const files = [
    ...PACKED_INPUTS.map((name) => join(ROOT, name)).filter((file) => existsSync(file)),
    ...PACKED_DIRECTORIES.flatMap((directory) => filesUnder(join(ROOT, directory))),
  ];
  for (const file of files.sort()) hash.update(relative(ROOT, file)).update('\0').update(readFileSync(file));
  return hash.digest('hex').slice(0, 16);
}

function filesUnder(directory: string): string[] {
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Takes the lock directory, waiting (up to 5 min) for another worker's build; a stale lock is broken. */
function waitForLock(lock: string): void {
  const deadline = Date.now() + 5 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      return;
    } catch {
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (Date.now() > deadline || age > 5 * 60_000) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    }
  }
}
