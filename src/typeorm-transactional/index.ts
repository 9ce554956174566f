/**
 * `nestjs-advanced-alchemy/typeorm-transactional`: the names `typeorm-transactional` (0.5) exports,
 * on this module's transactional units, so that an application moves by changing its import path.
 * The data source name (`connectionName`) is the bind key. See docs/typeorm-transactional.md.
 */
import type { DataSource } from 'typeorm';
import { ImproperConfigurationError } from '../errors/improper-configuration.error';
import { unitOptions, type TransactionOptions } from '../transactions/transaction-options';
import type { IsolationLevel as ModuleIsolationLevel } from '../config/engine-config';
import type { Propagation as ModulePropagation } from '../transactions/propagation';
import { liveOwnerList } from '../transactions/live-owners';
import { onTransactionEnd, runInContext } from './transactional-context';

export { enableTransactionalTestMode, disableTransactionalTestMode } from '../transactions/test-mode';

/** typeorm-transactional's propagation names; the values are the module's own. */
export enum Propagation {
  MANDATORY = 'MANDATORY',
  NESTED = 'NESTED',
  NEVER = 'NEVER',
  NOT_SUPPORTED = 'NOT_SUPPORTED',
  REQUIRED = 'REQUIRED',
  REQUIRES_NEW = 'REQUIRES_NEW',
  SUPPORTS = 'SUPPORTS',
}

/** typeorm-transactional's isolation level names; the values are the SQL (and the module's) ones. */
export enum IsolationLevel {
  READ_UNCOMMITTED = 'READ UNCOMMITTED',
  READ_COMMITTED = 'READ COMMITTED',
  REPEATABLE_READ = 'REPEATABLE READ',
  SERIALIZABLE = 'SERIALIZABLE',
}

/** Accepted for the calls written for typeorm-transactional; the module always uses AsyncLocalStorage. */
export enum StorageDriver {
  CLS_HOOKED = 'CLS_HOOKED',
  ASYNC_LOCAL_STORAGE = 'ASYNC_LOCAL_STORAGE',
  AUTO = 'AUTO',
}

/** typeorm-transactional's transaction options: `connectionName` is the bind key. */
export interface WrapInTransactionOptions {
  connectionName?: string;
  propagation?: Propagation | `${Propagation}`;
  isolationLevel?: IsolationLevel | `${IsolationLevel}`;
  /** The name of the wrapped function, as typeorm-transactional takes it (unused). */
  name?: string | symbol;
}

export interface TypeormTransactionalOptions {
  storageDriver?: StorageDriver | `${StorageDriver}`;
  maxHookHandlers?: number;
}

/** The module's unit options for typeorm-transactional's, checked where they are given. */
function moduleOptions(options: WrapInTransactionOptions = {}): TransactionOptions {
  const converted: TransactionOptions = {
    bindKey: options.connectionName,
    propagation: options.propagation as ModulePropagation | undefined,
    isolationLevel: options.isolationLevel as ModuleIsolationLevel | undefined,
  };
  unitOptions(converted);
  return converted;
}

/**
 * Runs the method in a transaction (default `REQUIRED`: it joins the transaction it is called in, the
 * request's included; outside every one it opens its own, committed when the method resolves).
 */
export function Transactional(options?: WrapInTransactionOptions): MethodDecorator {
  const converted = moduleOptions(options);
  return (_target, _name, descriptor) => {
    const method = descriptor.value as unknown;
    if (typeof method !== 'function') throw new TypeError('@Transactional() decorates methods only.');
    const wrapped = function transactional(this: unknown, ...args: unknown[]): Promise<unknown> {
      return runInContext(() => (method as (...args: unknown[]) => unknown).apply(this, args), converted);
    };
    for (const key of Reflect.getOwnMetadataKeys(method)) {
      Reflect.defineMetadata(key, Reflect.getOwnMetadata(key, method), wrapped);
    }
    Object.defineProperty(wrapped, 'name', { value: (method as { name: string }).name });
    (descriptor as { value?: unknown }).value = wrapped;
    return descriptor;
  };
}

/** Runs `fn` in a transaction, as `@Transactional()` runs a method. */
export function runInTransaction<Result>(
  fn: () => Promise<Result> | Result,
  options?: WrapInTransactionOptions,
): Promise<Result> {
  return runInContext(fn, moduleOptions(options));
}

/** `fn` as a function that runs in a transaction each time it is called. */
export function wrapInTransaction<Args extends unknown[], Result>(
  fn: (...args: Args) => Promise<Result> | Result,
  options?: WrapInTransactionOptions,
): (...args: Args) => Promise<Result> {
  const converted = moduleOptions(options);
  return function wrapped(this: unknown, ...args: Args) {
    return runInContext(() => fn.apply(this, args), converted);
  };
}

/** Runs `callback` once the current transaction has committed (errors are logged, never thrown). */
export function runOnTransactionCommit(callback: () => unknown): void {
  onTransactionEnd('commit', callback, 'runOnTransactionCommit');
}

/** Runs `callback` once the current transaction has rolled back, with the error that caused it when known. */
export function runOnTransactionRollback(callback: (error?: unknown) => unknown): void {
  onTransactionEnd('rollback', callback, 'runOnTransactionRollback');
}

/** Runs `callback` once the current transaction has ended either way; on a rollback it gets the error when known. */
export function runOnTransactionComplete(callback: (error?: unknown) => unknown): void {
  onTransactionEnd('complete', callback, 'runOnTransactionComplete');
}

/**
 * Nothing to initialise: the module keeps its context in AsyncLocalStorage from its start. Kept so
 * that `main.ts` moves unchanged; the options are checked and otherwise ignored.
 */
export function initializeTransactionalContext(options: TypeormTransactionalOptions = {}): void {
  const driver = options.storageDriver;
  if (driver !== undefined && !(Object.values(StorageDriver) as string[]).includes(driver)) {
    throw new ImproperConfigurationError(
      `initializeTransactionalContext: unknown storageDriver ${JSON.stringify(driver)} (the module always uses AsyncLocalStorage).`,
    );
  }
}

/**
 * Returns the DataSource as it is: every bind key's DataSource takes part in transactions already, and
 * `connectionName` is its bind key. Kept so that a `dataSourceFactory` written for typeorm-transactional
 * (`addTransactionalDataSource(new DataSource(options))`) moves unchanged.
 */
export function addTransactionalDataSource(
  input: DataSource | { name?: string; dataSource: DataSource; patch?: boolean },
): DataSource {
  return 'initialize' in input ? input : input.dataSource;
}

/** The DataSource of a bind key of the running module (typeorm-transactional's registry is the module's bind keys). */
export function getDataSourceByName(name: string = 'default'): DataSource | undefined {
  const owner = liveOwnerList()[0];
  if (owner === undefined) return undefined;
  try {
    return owner.bindFor(name).dataSource;
  } catch {
    return undefined; // no bind key of that name
  }
}

/**
 * Nothing to delete: the module opens and closes its DataSources with the application. Kept (answering
 * `true`) for test suites written for typeorm-transactional's process-wide registry.
 */
export function deleteDataSourceByName(name: string = 'default'): boolean {
  void name;
  return true;
}

/** typeorm-transactional's error class name; the module throws its own errors (`TransactionPropagationError` …). */
export { TransactionPropagationError as TransactionalError } from '../errors/transaction-propagation.error';
