import type { OperationUnit } from './operation-unit';

/** How each application (its module instance, a scope's owner) opens an operation unit; absent where GraphQL has no units. */
const rules = new WeakMap<object, () => OperationUnit>();

export function setGraphqlRule(owner: object, openUnit: () => OperationUnit): void {
  rules.set(owner, openUnit);
}

export function graphqlRuleOf(owner: object | undefined): (() => OperationUnit) | undefined {
  return owner === undefined ? undefined : rules.get(owner);
}
