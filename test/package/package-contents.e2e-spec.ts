import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { runNode } from '../migrations/support/run-command';
import { packLibrary, ROOT } from './packed-library';

// What a user gets from npm: the tarball of `npm pack`, opened and loaded as an installed package.

jest.setTimeout(5 * 60_000);

let extracted: string;
let entries: string[];

beforeAll(() => {
  const tarball = packLibrary();
  entries = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((entry) => entry.replace(/^package\//, ''));
  // Inside the repository's node_modules, so the package finds its peers (@nestjs/*, typeorm …)
  // the way it finds them in an application.
  const cache = join(ROOT, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  extracted = mkdtempSync(join(cache, 'alchemy-packed-'));
  const packageDirectory = join(extracted, 'node_modules', 'nestjs-advanced-alchemy');
  mkdirSync(packageDirectory, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', packageDirectory, '--strip-components=1']);
});
afterAll(() => rmSync(extracted, { recursive: true, force: true }));

const shipped = (path: string) => join(extracted, 'node_modules', 'nestjs-advanced-alchemy', path);

describe('the packed package', () => {
  it('contains the MIT LICENSE, the README, the CHANGELOG and the docs', () => {
    expect(entries).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'CHANGELOG.md', 'package.json']));
    expect(readFileSync(shipped('LICENSE'), 'utf8')).toMatch(/^MIT License/);
    expect(JSON.parse(readFileSync(shipped('package.json'), 'utf8')).license).toBe('MIT');
    expect(entries.filter((entry) => entry.startsWith('docs/'))).toEqual(
      expect.arrayContaining(['docs/migrations.md', 'docs/testing.md', 'docs/services.md']),
    );
  });

  it('has no dead relative link in the README, the CHANGELOG or the docs it ships', () => {
    const documents = entries.filter((entry) => entry.endsWith('.md'));
    const dead: string[] = [];
    for (const document of documents) {
      const text = readFileSync(shipped(document), 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^(https?:|mailto:|#)/.test(target)) continue;
        const path = normalize(join(dirname(document), target.split('#')[0]));
        if (!existsSync(shipped(path))) dead.push(`${document} → ${target}`);
      }
    }
    expect(documents.length).toBeGreaterThan(3);
    expect(dead).toEqual([]);
  });

  it('loads with require() and with import, as one package: the same classes, every export named', async () => {
    const script = `
      import { createRequire } from 'node:module';
      import * as imported from 'nestjs-advanced-alchemy';
      import * as importedTesting from 'nestjs-advanced-alchemy/testing';
      const require = createRequire(import.meta.url);
      const required = require('nestjs-advanced-alchemy');
      const requiredTesting = require('nestjs-advanced-alchemy/testing');
      // Node 23+ also offers the whole CommonJS exports object under the name 'module.exports'.
      const names = (module) =>
        Object.keys(module).filter((name) => !['default', '__esModule', 'module.exports'].includes(name)).sort();
      console.log(JSON.stringify({
        importedNames: names(imported),
        requiredNames: names(required),
        testingNames: [names(importedTesting), names(requiredTesting)],
        sameModuleClass: imported.AdvancedAlchemyModule === required.AdvancedAlchemyModule,
        moduleIsClass: typeof required.AdvancedAlchemyModule,
      }));
    `;
    const result = await runNode(['--input-type=module', '-e', script], {}, extracted);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    const report = JSON.parse(result.stdout) as {
      importedNames: string[];
      requiredNames: string[];
      testingNames: [string[], string[]];
      sameModuleClass: boolean;
      moduleIsClass: string;
    };
    expect(report.moduleIsClass).toBe('function');
    expect(report.requiredNames.length).toBeGreaterThan(40);
    expect(report.importedNames).toEqual(report.requiredNames);
    expect(report.testingNames[0]).toEqual(report.testingNames[1]);
    expect(report.sameModuleClass).toBe(true);
  });

  it('ships the subpaths for applications moving from typeorm-transactional and @nestjs-cls/transactional', async () => {
    const script = `
      import * as typeormTransactional from 'nestjs-advanced-alchemy/typeorm-transactional';
      import * as clsTransactional from 'nestjs-advanced-alchemy/nestjs-cls-transactional';
      console.log(JSON.stringify({
        typeormTransactional: typeof typeormTransactional.runOnTransactionComplete,
        cls: typeof clsTransactional.TransactionHostModule,
      }));
    `;
    const result = await runNode(['--input-type=module', '-e', script], {}, extracted);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(result.stdout)).toEqual({ typeormTransactional: 'function', cls: 'function' });
  });
});
