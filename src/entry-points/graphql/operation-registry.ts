import type { OperationUnit } from './operation-unit';

/**
 * The unit of each operation being executed, found from a resolver's `info.variableValues`: graphql-js
 * makes that object anew for each execution, where the context object is shared by the operations
 * of a batch and the parsed document by every operation with the same text.
 */
const units = new WeakMap<object, OperationUnit>();

export function registerOperation(variableValues: object, unit: OperationUnit): void {
  if (!units.has(variableValues)) units.set(variableValues, unit);
}

export function operationOf(variableValues: object | undefined): OperationUnit | undefined {
  return variableValues === undefined ? undefined : units.get(variableValues);
}
