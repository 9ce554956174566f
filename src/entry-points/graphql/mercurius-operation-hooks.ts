import type { GraphQLAnswer } from './graphql-shapes';
import { operationOf, registerOperation } from './operation-registry';
import type { OperationUnit } from './operation-unit';
import { openEventUnitsByContext, takeEventUnit, type SubscriptionContext } from './subscription-events';

/** The part of Mercurius' `app.graphql` the adapter uses. */
interface MercuriusGraphql {
  addHook(name: 'preExecution', hook: (schema: unknown, document: unknown, context: object) => Promise<void>): void;
  addHook(name: 'onResolution', hook: (execution: GraphQLAnswer, context: object) => Promise<void>): void;
  addHook(
    name: 'onSubscriptionResolution',
    hook: (execution: GraphQLAnswer, context: SubscriptionContext, id: unknown) => Promise<void>,
  ): void;
  addHook(name: 'onSubscriptionEnd', hook: (context: SubscriptionContext, id: unknown) => Promise<void>): void;
}

/**
 * Gives each operation Mercurius runs (each one of a batch too: Mercurius gives each its own
 * context object) a unit of work, ended in `onResolution`, which Mercurius awaits before it
 * answers: the COMMIT comes first, and a failed one is in the answer. Each event of a subscription
 * is a unit too, ended in `onSubscriptionResolution`, which Mercurius awaits before it sends the event.
 */
export function mercuriusOperationHooks(fastify: unknown, openUnit: () => OperationUnit): void {
  const graphql = (fastify as { graphql?: MercuriusGraphql } | undefined)?.graphql;
  if (graphql === undefined) return;
  graphql.addHook('preExecution', async (_schema, _document, context) => {
    registerOperation(context, openUnit());
  });
  graphql.addHook('onResolution', async (execution, context) => {
    await operationOf(context)?.end(execution);
  });
  openEventUnitsByContext(graphql, openUnit);
  graphql.addHook('onSubscriptionResolution', async (execution, context, id) => {
    await takeEventUnit(context.request, id)?.end(execution);
  });
  // A subscription that ends while an event is being resolved: that event keeps nothing.
  graphql.addHook('onSubscriptionEnd', async (context, id) => {
    await takeEventUnit(context.request, id)?.end(undefined);
  });
}
