import type { Config } from 'jest';

// Nest 12 and a few of its dependencies ship ES modules only: swc turns them into CommonJS for jest.
const esmPackages = [
  '@nestjs',
  'file-type',
  'strtok3',
  'token-types',
  'peek-readable',
  'uint8array-extras',
  '@tokenizer',
  'load-esm',
  'content-disposition',
  // Mercurius loads quick-lru (ES modules only) with import(), which jest's CommonJS runtime refuses.
  'mercurius',
  'quick-lru',
];

const shared = {
  transform: { '^.+\\.(t|j|mj)s$': ['@swc/jest', { swcrc: true }] },
  // Ignore a file only by its innermost node_modules package (nested ESM copies are transformed too).
  transformIgnorePatterns: [`node_modules/(?!(?:${esmPackages.join('|')})/)(?:@[^/]+/)?[^/]+/(?!.*node_modules/)`],
  moduleNameMapper: {
    '^nestjs-advanced-alchemy$': '<rootDir>/src/index.ts',
    '^nestjs-advanced-alchemy/testing$': '<rootDir>/libs/testing/src/index.ts',
    '^nestjs-advanced-alchemy/typeorm-transactional$': '<rootDir>/src/typeorm-transactional/index.ts',
    '^nestjs-advanced-alchemy/nestjs-cls-transactional$': '<rootDir>/src/nestjs-cls-transactional/index.ts',
  },
  testEnvironment: 'node',
  rootDir: '.',
  // The projects under test/fixtures are users' applications with their own runners (Vitest, Jest);
  // .tmp holds their installs and other packages the suites unpack.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/fixtures/', '<rootDir>/.tmp/'],
  modulePathIgnorePatterns: ['<rootDir>/test/fixtures/', '<rootDir>/.tmp/'],
} satisfies Config;

const config: Config = {
  globalSetup: '<rootDir>/libs/testing/src/jest-global-setup.ts',
  // Workers: Jest's default (cores - 1; one on 2 cores). Every file has databases of its own and its
  // servers on free ports, so `jest -w 2` (or more on a bigger machine) runs files side by side, as CI
  // does (.ci/run) for all but the suites that bound response times, which a loaded machine misses:
  // those run one file at a time there.
  // Generous: a loaded machine (two workers, other jobs) must not fail a slow but correct test.
  // A hang still fails, after this long.
  testTimeout: 60_000,
  // `jest --coverage`: V8's coverage of src/ in Jest's processes. `npm run test:coverage`
  // (scripts/coverage.mjs) adds the child processes' (the command line, child applications).
  coverageProvider: 'v8',
  collectCoverageFrom: ['<rootDir>/src/**/*.ts', '!<rootDir>/src/**/*.spec.ts'],
  coverageReporters: ['text', 'text-summary', 'json-summary'],
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/libs/**/*.spec.ts'] },
    { ...shared, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'] },
  ],
};

export default config;
