import { sessionScopeStorage } from '../../session/session-scope';
import type { FieldInfo } from './graphql-shapes';
import { operationOf } from './operation-registry';
import { resolveInEventUnit } from './subscription-events';

/** The part of a graphql-js schema the adapter walks (`GraphQLSchema`, its object types and their fields). */
interface SchemaShape {
  getTypeMap(): Record<string, unknown>;
  getSubscriptionType?(): unknown;
}
type Resolve = (source: unknown, args: unknown, context: unknown, info: FieldInfo) => unknown;
interface FieldShape {
  resolve?: Resolve;
}

const wrappedSchemas = new WeakSet<object>();

/**
 * Makes each event of a subscription resolve its top-level field in the event's unit
 * (subscription-events.ts), and the resolvers of nested fields (`@ResolveField()`, which Nest gives
 * no interceptor by default) run in their operation's scope: graphql-js calls them from the
 * continuation of the top-level field's promise, which is outside the scope the interceptor ran that
 * field in. A field outside any operation unit, and a top-level one (the interceptor's), are called
 * as they are.
 */
export function runNestedFieldsInOperationScope(schema: unknown): void {
  const typed = schema as SchemaShape | undefined;
  if (typeof typed?.getTypeMap !== 'function' || wrappedSchemas.has(typed)) return;
  wrappedSchemas.add(typed);
  const subscriptionType = typed.getSubscriptionType?.();
  for (const [name, type] of Object.entries(typed.getTypeMap())) {
    if (name.startsWith('__')) continue;
    const getFields = (type as { getFields?: () => Record<string, FieldShape> }).getFields;
    // Object types only: input types have fields without resolvers, interfaces resolve through their objects.
    if (typeof getFields !== 'function' || !('isTypeOf' in (type as object))) continue;
    if (type === subscriptionType) {
      for (const field of Object.values(getFields.call(type))) resolveEventsInUnits(field);
      continue;
    }
    for (const field of Object.values(getFields.call(type))) {
      const resolve = field.resolve;
      if (typeof resolve !== 'function') continue;
      field.resolve = function (this: unknown, source, args, context, info) {
        if (info.path.prev === undefined) return resolve.call(this, source, args, context, info);
        const unit = operationOf(info.variableValues) ?? operationOf(context as object | undefined);
        if (unit === undefined) return resolve.call(this, source, args, context, info);
        return sessionScopeStorage.run(unit.scope, () => resolve.call(this, source, args, context, info));
      };
    }
  }
}

/** A top-level subscription field: its resolver (graphql-js' default one when it has none) runs in the event's unit. */
function resolveEventsInUnits(field: FieldShape): void {
  const resolve = field.resolve ?? defaultResolve;
  field.resolve = function (this: unknown, source, args, context, info) {
    return resolveInEventUnit(info, context, () => resolve.call(this, source, args, context, info));
  };
}

/** What graphql-js does for a field without a resolver: the property of the source named after the field. */
function defaultResolve(source: unknown, args: unknown, context: unknown, info: FieldInfo): unknown {
  if ((typeof source !== 'object' || source === null) && typeof source !== 'function') return undefined;
  const property = (source as Record<string, unknown>)[info.fieldName];
  return typeof property === 'function'
    ? (property as (...rest: unknown[]) => unknown).call(source, args, context, info)
    : property;
}
