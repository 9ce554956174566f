import type { DataSource, QueryRunner } from 'typeorm';
import { isOwnXid, xidLiteral } from './xid';
import { xaTransactionOf } from './xa-runner';

/** What two-phase commit needs of a database: the statements of both phases and of recovery. */
export interface TwoPhaseDialect {
  /** The xid the runner's open transaction will be prepared under (MariaDB: the one XA START gave it). */
  xidFor(runner: QueryRunner, newXid: () => string): string;
  /** Ends the runner's transaction with PREPARE; the connection is then outside any transaction. */
  prepare(runner: QueryRunner, xid: string): Promise<void>;
  commitSql(xid: string): string;
  rollbackSql(xid: string): string;
  /** True when the database says there is no prepared transaction with that id (already resolved). */
  isUnknownXid(error: unknown): boolean;
  /** This application's prepared transactions that this bind key's connection can resolve. */
  listInDoubt(dataSource: DataSource, prefix: string): Promise<string[]>;
}

interface DriverErrorLike {
  code?: unknown;
  errno?: unknown;
  driverError?: unknown;
}

function codeOf(error: unknown): { code?: unknown; errno?: unknown } {
  const candidate = (error ?? {}) as DriverErrorLike;
  return (candidate.driverError as DriverErrorLike | undefined) ?? candidate;
}

const postgres: TwoPhaseDialect = {
  xidFor: (_runner, newXid) => newXid(),
  async prepare(runner, xid) {
    await runner.query(`PREPARE TRANSACTION ${xidLiteral(xid)}`);
  },
  commitSql: (xid) => `COMMIT PREPARED ${xidLiteral(xid)}`,
  rollbackSql: (xid) => `ROLLBACK PREPARED ${xidLiteral(xid)}`,
  // 42704 undefined_object: "prepared transaction with identifier … does not exist".
  isUnknownXid: (error) => codeOf(error).code === '42704',
  async listInDoubt(dataSource, prefix) {
    // COMMIT PREPARED must run in the database the transaction was prepared in.
    const rows = (await dataSource.query(
      'SELECT gid FROM pg_prepared_xacts WHERE database = current_database() AND gid LIKE $1',
      [`${prefix}-%`],
    )) as Array<{ gid: string }>;
    return rows.map((row) => row.gid).filter((xid) => isOwnXid(xid, prefix));
  },
};

const mariadb: TwoPhaseDialect = {
  xidFor(runner) {
    const xa = xaTransactionOf(runner);
    if (!xa) throw new Error('The MariaDB session did not begin its transaction with XA START.');
    return xa.xid;
  },
  async prepare(runner, xid) {
    const xa = xaTransactionOf(runner);
    await xa?.end();
    await runner.query(`XA PREPARE ${xidLiteral(xid)}`);
    xa?.forget();
  },
  commitSql: (xid) => `XA COMMIT ${xidLiteral(xid)}`,
  rollbackSql: (xid) => `XA ROLLBACK ${xidLiteral(xid)}`,
  // 1397 ER_XAER_NOTA: "Unknown XID".
  isUnknownXid: (error) => codeOf(error).errno === 1397 || codeOf(error).code === 'ER_XAER_NOTA',
  async listInDoubt(dataSource, prefix) {
    // XA transactions belong to the server, not to a database: any connection resolves them.
    const rows = (await dataSource.query('XA RECOVER')) as Array<{ data: string | Buffer; bqual_length: number }>;
    return rows
      .filter((row) => Number(row.bqual_length) === 0)
      .map((row) => row.data.toString())
      .filter((xid) => isOwnXid(xid, prefix));
  },
};

/** The dialect of a DataSource type, or undefined when it has no two-phase commit. */
export function twoPhaseDialectOf(type: string): TwoPhaseDialect | undefined {
  if (type === 'postgres') return postgres;
  if (type === 'mariadb' || type === 'mysql') return mariadb;
  return undefined;
}
