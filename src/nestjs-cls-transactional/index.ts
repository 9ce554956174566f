/**
 * `nestjs-advanced-alchemy/nestjs-cls-transactional`: the names `@nestjs-cls/transactional` (with its TypeORM
 * adapter) gives an application, on the module's sessions and units, so that its services move by changing
 * their imports. See docs/nestjs-cls-transactional.md.
 */
import { Global, Inject, Module, type DynamicModule, type Provider } from '@nestjs/common';
import { InjectEntityManager } from '@nestjs/typeorm';
import type { EntityManager } from 'typeorm';
import { AdvancedAlchemy } from '../core/advanced-alchemy';
import { Transactional as ModuleTransactional } from '../transactions/transactional.decorator';
import { Propagation, toModuleOptions, type ClsTransactionOptions } from './propagation';
import { TransactionHost, type TransactionalAdapterTypeOrm } from './transaction-host';

export { Propagation, TransactionHost };
export type { ClsTransactionOptions, TransactionalAdapterTypeOrm };

/** What `txHost.tx` and `@InjectTransaction()` are with the TypeORM adapter: an EntityManager. */
export type Transaction<_Adapter = TransactionalAdapterTypeOrm> = EntityManager;

/** The token of the `TransactionHost` of a bind key (`@nestjs-cls/transactional`'s connection name). */
export function getTransactionHostToken(connectionName?: string): typeof TransactionHost | string {
  return connectionName === undefined ? TransactionHost : `nestjs-advanced-alchemy:TransactionHost:${connectionName}`;
}

/** Injects the `TransactionHost` of a named connection (bind key); plain `TransactionHost` is the default one. */
export function InjectTransactionHost(connectionName?: string): ParameterDecorator & PropertyDecorator {
  return Inject(getTransactionHostToken(connectionName));
}

/** Injects the current transaction's EntityManager (`@InjectEntityManager`, session-bound). */
export function InjectTransaction(connectionName?: string): ParameterDecorator & PropertyDecorator {
  return InjectEntityManager(connectionName) as ParameterDecorator & PropertyDecorator;
}

const PROPAGATION_VALUES = Object.values(Propagation) as string[];

/**
 * `@Transactional()`, `@Transactional(Propagation.RequiresNew)`, `@Transactional({ propagation, isolationLevel })`
 * or `@Transactional('connectionName', propagationOrOptions?)`: the module's transactional unit.
 */
export function Transactional(
  first?: string | ClsTransactionOptions,
  second?: Propagation | `${Propagation}` | ClsTransactionOptions,
): MethodDecorator {
  const named = typeof first === 'string' && !PROPAGATION_VALUES.includes(first);
  const connectionName = named ? first : undefined;
  const options = named ? (second ?? {}) : ((first as Propagation | ClsTransactionOptions | undefined) ?? {});
  return ModuleTransactional(toModuleOptions(options, connectionName)) as MethodDecorator;
}

/**
 * Provides `TransactionHost` (the default bind key's, or the only one's) and, for each name given, the host
 * of that bind key, in every module: it takes the place of `ClsModule.forRoot({ plugins: [new
 * ClsPluginTransactional(…)] })` in the root module.
 */
@Global()
@Module({})
export class TransactionHostModule {
  static forRoot(...connectionNames: string[]): DynamicModule {
    const host = (bindKey: string | undefined): Provider => ({
      provide: getTransactionHostToken(bindKey),
      useFactory: (alchemy: AdvancedAlchemy) => new TransactionHost(alchemy, bindKey),
      inject: [AdvancedAlchemy],
    });
    const providers = [host(undefined), ...connectionNames.map(host)];
    return {
      module: TransactionHostModule,
      providers,
      exports: providers.map((provider) => (provider as { provide: string }).provide),
    };
  }
}
