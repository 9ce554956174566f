export { testDatabaseKinds, serverUrl, SERVER_URL_VARIABLES, DEFAULT_SERVER_URLS } from './database-targets';
export type { TestDatabaseKind } from './database-targets';
export { createTestDatabase } from './test-database';
export type { TestDatabase } from './test-database';
export { openProbe } from './probe';
export type { DatabaseProbe } from './probe';
export { default as detectTestDatabases } from './jest-global-setup';
export { startTestTransaction, useTestTransactions } from './test-transaction';
export type { TestTransaction } from './test-transaction';
