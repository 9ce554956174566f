import { sessionScopeStorage } from '../../session/session-scope';
import type { FieldInfo } from './graphql-shapes';
import { operationOf } from './operation-registry';

/** The part of a graphql-js schema the adapter walks (`GraphQLSchema`, its object types and their fields). */
interface SchemaShape {
  getTypeMap(): Record<string, unknown>;
}
type Resolve = (source: unknown, args: unknown, context: unknown, info: FieldInfo) => unknown;
interface FieldShape {
  resolve?: Resolve;
}

const wrappedSchemas = new WeakSet<object>();

/**
 * Makes the resolvers of nested fields (`@ResolveField()`, which Nest gives no interceptor by
 * default) run in their operation's scope: graphql-js calls them from the continuation of the
 * top-level field's promise, which is outside the scope the interceptor ran that field in. A field
 * outside any operation unit, and a top-level one (the interceptor's), are called as they are.
 */
export function runNestedFieldsInOperationScope(schema: unknown): void {
  const typed = schema as SchemaShape | undefined;
  if (typeof typed?.getTypeMap !== 'function' || wrappedSchemas.has(typed)) return;
  wrappedSchemas.add(typed);
  for (const [name, type] of Object.entries(typed.getTypeMap())) {
    if (name.startsWith('__')) continue;
    const getFields = (type as { getFields?: () => Record<string, FieldShape> }).getFields;
    // Object types only: input types have fields without resolvers, interfaces resolve through their objects.
    if (typeof getFields !== 'function' || !('isTypeOf' in (type as object))) continue;
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
