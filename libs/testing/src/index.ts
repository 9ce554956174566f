export { testDatabaseKinds, serverUrl, SERVER_URL_VARIABLES, DEFAULT_SERVER_URLS } from './database-targets';
export type { TestDatabaseKind } from './database-targets';
export { createTestDatabase } from './test-database';
export type { TestDatabase, TestDatabaseOptions } from './test-database';
export { openProbe } from './probe';
export type { DatabaseProbe } from './probe';
export { detectTestDatabases } from './jest-global-setup';
export { startTestTransaction, useTestTransactions } from './test-transaction';
export type { TestTransaction } from './test-transaction';
export { poolState } from './pool-state';
export type { PoolState } from './pool-state';
export { bootTestApp, startTestApp } from './test-app';
export { useTestApp } from './use-test-app';
export type {
  BootTestAppOptions,
  BootedTestApp,
  StartTestAppOptions,
  TestApp,
  TestBindConfig,
  TestHttpAdapter,
} from './test-app';
export { httpClient } from './http-client';
export type { TestHttpClient, TestRequestInit, TestResponse } from './http-client';
export { createTestTenants, testTenantSchemaName } from './test-tenants';
export type { TestTenants } from './test-tenants';
export { createTestTenantDatabases } from './test-tenant-databases';
export type { TestTenantDatabases } from './test-tenant-databases';
