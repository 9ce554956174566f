import type { QueryRunner } from 'typeorm';
import { xidLiteral } from './xid';

/** TypeORM keeps these protected; an XA transaction is begun and ended beside its own bookkeeping. */
type XaRunner = QueryRunner & { transactionDepth: number; isTransactionActive: boolean };

/** The open XA transaction of a runner. */
export interface XaTransaction {
  readonly xid: string;
  /** `XA END` (once): the transaction takes no more statements. */
  end(): Promise<void>;
  /** Forgets the transaction after XA PREPARE: the connection is outside any transaction. */
  forget(): void;
}

const open = new WeakMap<QueryRunner, XaTransaction>();

export function xaTransactionOf(runner: QueryRunner): XaTransaction | undefined {
  return open.get(runner);
}

/**
 * Makes a MariaDB/MySQL runner begin its outermost transaction with `XA START 'xid'` instead of
 * START TRANSACTION, so that it can be prepared (XA END + XA PREPARE) at the end of the scope. A
 * transaction that ends without two-phase commit ends as XA requires: `XA END` then
 * `XA COMMIT … ONE PHASE` or `XA ROLLBACK`. Savepoints (nested units) go to TypeORM as before.
 */
export function beginWithXa(queryRunner: QueryRunner, newXid: () => string): void {
  const runner = queryRunner as XaRunner;
  const start = runner.startTransaction.bind(runner);
  const commit = runner.commitTransaction.bind(runner);
  const rollback = runner.rollbackTransaction.bind(runner);
  const outermost = (): XaTransaction | undefined => (runner.transactionDepth === 1 ? open.get(runner) : undefined);
  const leave = (): void => {
    open.delete(runner);
    runner.transactionDepth = 0;
    runner.isTransactionActive = false;
  };

  runner.startTransaction = async (isolationLevel) => {
    if (runner.transactionDepth > 0) return start(isolationLevel);
    const level = isolationLevel ?? runner.connection.options.isolationLevel;
    if (level) await runner.query(`SET TRANSACTION ISOLATION LEVEL ${level}`);
    const xid = newXid();
    await runner.query(`XA START ${xidLiteral(xid)}`);
    let ended = false;
    open.set(runner, {
      xid,
      end: async () => {
        if (ended) return;
        await runner.query(`XA END ${xidLiteral(xid)}`);
        ended = true;
      },
      forget: leave,
    });
    runner.transactionDepth = 1;
    runner.isTransactionActive = true;
  };
  runner.commitTransaction = async () => {
    const xa = outermost();
    if (!xa) return commit();
    await xa.end();
    await runner.query(`XA COMMIT ${xidLiteral(xa.xid)} ONE PHASE`);
    leave();
  };
  runner.rollbackTransaction = async () => {
    const xa = outermost();
    if (!xa) return rollback();
    try {
      await xa.end().catch(() => undefined);
      await runner.query(`XA ROLLBACK ${xidLiteral(xa.xid)}`);
    } finally {
      leave();
    }
  };
}
