import type { DataSource, QueryRunner } from 'typeorm';
import type { ConnectionSlots } from './connection-slots';
import { channels } from '../observability/channels';
import { publishConnectionAcquired } from '../observability/publish';

type QueryFn = QueryRunner['query'];

/**
 * TypeORM's better-sqlite3 driver hands every caller the same QueryRunner, so a second concurrent
 * transaction silently runs inside the first. This turns the driver into a pool of one connection:
 * each `createQueryRunner()` gets a runner of its own (sharing the prepared-statement cache), which
 * takes the bind key's lock at its first statement and gives it back when it is released or its
 * transaction ends. Everything that goes through the DataSource — sessions, repositories,
 * `dataSource.transaction()`, migrations — takes turns.
 */
export function installSqliteRunnerPool(dataSource: DataSource, lock: ConnectionSlots): void {
  const driver = dataSource.driver as unknown as { createQueryRunner(mode: string): QueryRunner };
  const shared = driver.createQueryRunner('master');
  const runStatement = Object.getPrototypeOf(shared).query as QueryFn;
  const startTransaction = Object.getPrototypeOf(shared).startTransaction as QueryRunner['startTransaction'];
  const commitTransaction = Object.getPrototypeOf(shared).commitTransaction as QueryRunner['commitTransaction'];
  const rollbackTransaction = Object.getPrototypeOf(shared).rollbackTransaction as QueryRunner['rollbackTransaction'];

  driver.createQueryRunner = () => {
    const runner = Object.create(shared) as QueryRunner & { loadedTables: unknown[]; loadedViews: unknown[] };
    let holdsLock = false;
    const releaseLockOutsideTransaction = (): void => {
      if (holdsLock && !runner.isTransactionActive) {
        holdsLock = false;
        lock.release();
      }
    };
    Object.assign(runner, {
      isReleased: false,
      isTransactionActive: false,
      transactionDepth: 0,
      data: {},
      loadedTables: [],
      loadedViews: [],
      sqlMemoryMode: false,
      sqlInMemory: { upQueries: [], downQueries: [] },
    });
    runner.query = async function query(this: QueryRunner, ...args: Parameters<QueryFn>) {
      if (!holdsLock) {
        const waitFrom = channels.connectionAcquired.hasSubscribers ? performance.now() : -1;
        await lock.acquire();
        holdsLock = true;
        if (waitFrom >= 0) publishConnectionAcquired(lock.bindKey, performance.now() - waitFrom);
      }
      try {
        return await runStatement.apply(runner, args);
      } finally {
        releaseLockOutsideTransaction();
      }
    } as QueryFn;
    runner.startTransaction = async (isolationLevel) => {
      try {
        await startTransaction.call(runner, isolationLevel);
      } finally {
        releaseLockOutsideTransaction();
      }
    };
    runner.commitTransaction = async () => {
      try {
        await commitTransaction.call(runner);
      } finally {
        releaseLockOutsideTransaction();
      }
    };
    runner.rollbackTransaction = async () => {
      try {
        await rollbackTransaction.call(runner);
      } finally {
        releaseLockOutsideTransaction();
      }
    };
    runner.release = async () => {
      if (runner.isReleased) return;
      try {
        // A transaction left open would otherwise be inherited by the next holder of the connection.
        while (runner.isTransactionActive) await rollbackTransaction.call(runner);
      } finally {
        Object.assign(runner, { isReleased: true });
        runner.loadedTables = [];
        if (holdsLock) {
          holdsLock = false;
          lock.release();
        }
      }
    };
    return runner;
  };
}
