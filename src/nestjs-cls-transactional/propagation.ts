import { unitOptions, type TransactionOptions } from '../transactions/transaction-options';
import type { IsolationLevel } from '../config/engine-config';
import type { Propagation as ModulePropagation } from '../transactions/propagation';

/** `@nestjs-cls/transactional`'s propagation names; the values are the module's. */
export enum Propagation {
  Required = 'REQUIRED',
  RequiresNew = 'REQUIRES_NEW',
  Nested = 'NESTED',
  Mandatory = 'MANDATORY',
  Never = 'NEVER',
  Supports = 'SUPPORTS',
  NotSupported = 'NOT_SUPPORTED',
}

/** The options `withTransaction` and `@Transactional` take (the TypeORM adapter's `isolationLevel`). */
export interface ClsTransactionOptions {
  propagation?: Propagation | `${Propagation}`;
  isolationLevel?: IsolationLevel;
}

/** The module's unit options, checked. */
export function toModuleOptions(
  given: Propagation | `${Propagation}` | ClsTransactionOptions,
  bindKey?: string,
): TransactionOptions {
  const options = typeof given === 'string' ? { propagation: given } : given;
  const converted: TransactionOptions = {
    bindKey,
    propagation: options.propagation as ModulePropagation | undefined,
    isolationLevel: options.isolationLevel,
  };
  unitOptions(converted);
  return converted;
}
