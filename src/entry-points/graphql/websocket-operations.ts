import { AsyncLocalStorage } from 'node:async_hooks';
import type { GraphQLAnswer } from './graphql-shapes';
import { registerOperation } from './operation-registry';
import type { OperationUnit } from './operation-unit';
import { serializable } from './subscription-events';

/**
 * An operation graphql-ws runs over a WebSocket (Apollo's server): no HTTP request, no scope around
 * it. A query or mutation has its unit here (opened around graphql-js' `execute`); a subscription's
 * start finds here how to open one for its subscribe function.
 */
interface SocketOperation {
  readonly openUnit: () => OperationUnit;
  readonly unit?: OperationUnit;
}

const socketOperations = new AsyncLocalStorage<SocketOperation>();

type Execute = (args: unknown) => unknown;

/**
 * graphql-ws' `execute`, each query or mutation a unit of work as over HTTP: ended by its answer
 * before graphql-ws sends it (a failed COMMIT is in the answer). `own` is the application's or graphql-js'.
 */
export function executeInUnits(openUnit: () => OperationUnit, own: Execute): Execute {
  return async (args) => {
    const unit = openUnit();
    let result: unknown;
    try {
      result = await socketOperations.run({ openUnit, unit }, async () => await own(args));
    } catch (error) {
      await unit.end(undefined);
      throw error;
    }
    // An incremental answer (a stream of results) is not read: nothing of it is kept.
    const answer = isAnswer(result) ? result : undefined;
    await unit.end(answer);
    if (answer?.errors !== undefined) answer.errors = answer.errors.map(serializable);
    return result;
  };
}

/** graphql-ws' `subscribe`: the subscription's start (its subscribe function) can open a unit of its own. */
export function subscribeWithUnits(openUnit: () => OperationUnit, own: Execute): Execute {
  return (args) => {
    console.log('WS SUBSCRIBE');
    return socketOperations.run({ openUnit }, () => own(args));
  };
}

/** The unit of the query or mutation graphql-ws is executing now (registered for its nested fields), if any. */
export function socketOperationUnit(variableValues: object | undefined): OperationUnit | undefined {
  const unit = socketOperations.getStore()?.unit;
  if (unit !== undefined && variableValues !== undefined) registerOperation(variableValues, unit);
  return unit;
}

/** How to open a unit for the start of the subscription graphql-ws is starting now, if it is one. */
export function socketUnitOpener(): (() => OperationUnit) | undefined {
  return socketOperations.getStore()?.openUnit;
}

function isAnswer(value: unknown): value is GraphQLAnswer {
  return typeof value === 'object' && value !== null && !(Symbol.asyncIterator in value);
}
