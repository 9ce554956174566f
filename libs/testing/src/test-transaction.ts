import type { DataSource, QueryRunner } from 'typeorm';

/** An open test transaction: `rollback()` discards everything the test wrote. */
export interface TestTransaction {
  rollback(): Promise<void>;
}

type Runner = QueryRunner & { transactionDepth: number };

// The hooks of whichever test runner is running (jest, vitest with globals, mocha): declared here
// so that the kit builds without any runner's type definitions.
declare function beforeEach(hook: () => Promise<void>): void;
declare function afterEach(hook: () => Promise<void>): void;

/**
 * Opens a transaction on one connection of `dataSource` and makes every query runner the DataSource
 * hands out (sessions, repositories, `dataSource.transaction()`) join it: their BEGIN/COMMIT become
 * SAVEPOINT/RELEASE inside it. `rollback()` discards all of it, so each test starts from the same data.
 * Work inside one test shares that connection: run its requests one after another.
 */
export async function startTestTransaction(dataSource: DataSource): Promise<TestTransaction> {
  const outer = dataSource.createQueryRunner() as Runner;
  await outer.startTransaction();
  const classMethods = runnerClassPrototype(outer);
  Object.defineProperty(dataSource, 'createQueryRunner', {
    configurable: true,
    value: () => joinedRunner(dataSource, outer, classMethods),
  });
  return {
    async rollback() {
      delete (dataSource as unknown as Record<string, unknown>).createQueryRunner;
      try {
        while (outer.isTransactionActive) await outer.rollbackTransaction();
      } finally {
        await outer.release();
      }
    },
  };
}

/** The driver's QueryRunner class prototype, under any per-instance wrappers. */
function runnerClassPrototype(runner: QueryRunner): QueryRunner {
  let candidate: object | null = runner;
  while (candidate && Object.prototype.hasOwnProperty.call(candidate, 'isTransactionActive')) {
    candidate = Object.getPrototypeOf(candidate) as object | null;
  }
  if (!candidate) throw new Error('startTestTransaction: cannot find the query runner class of this DataSource.');
  return candidate as QueryRunner;
}

/** A runner over the outer connection whose own transaction state starts inside the outer transaction. */
function joinedRunner(dataSource: DataSource, outer: Runner, classMethods: QueryRunner): QueryRunner {
  const runner = Object.create(outer) as Runner;
  const resetsSearchPath = dataSource.options.type === 'postgres';
  Object.assign(runner, {
    isReleased: false,
    isTransactionActive: true,
    transactionDepth: 1,
    data: {},
    loadedTables: [],
    loadedViews: [],
    query: classMethods.query,
    startTransaction: classMethods.startTransaction,
    commitTransaction: classMethods.commitTransaction,
    rollbackTransaction: classMethods.rollbackTransaction,
    async release() {
      try {
        while (runner.transactionDepth > 1) await runner.rollbackTransaction();
        // A session's `SET LOCAL search_path` (a tenant's schema, docs/tenancy.md) would end with its
        // transaction; here that is a savepoint, and the setting would outlive it on the shared
        // connection: the next session, or the test's own queries, would run in that tenant's schema.
        // An aborted test transaction refuses it, and has nothing more to run anyway.
        if (resetsSearchPath)
          await classMethods.query.call(runner, 'SET LOCAL search_path TO DEFAULT').catch(() => undefined);
      } finally {
        Object.assign(runner, { isReleased: true });
      }
    },
  });
  Object.assign(runner, { manager: dataSource.createEntityManager(runner) });
  return runner;
}

/**
 * Jest helper: wraps every test of the enclosing `describe` in a test transaction on each DataSource
 * `getDataSources()` returns (call it after the app is created, e.g. from `beforeAll`).
 */
export function useTestTransactions(getDataSources: () => DataSource[]): void {
  let open: TestTransaction[] = [];
  beforeEach(async () => {
    open = [];
    for (const dataSource of getDataSources()) open.push(await startTestTransaction(dataSource));
  });
  afterEach(async () => {
    for (const transaction of open.reverse()) await transaction.rollback();
    open = [];
  });
}
