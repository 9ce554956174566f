import { AsyncLocalStorage } from 'node:async_hooks';
import type { FieldInfo, GraphQLAnswer } from './graphql-shapes';
import { registerOperation } from './operation-registry';
import type { OperationUnit } from './operation-unit';

/** The event of a subscription being executed: its unit, opened before graphql-js resolves it. */
interface EventSlot {
  readonly unit: OperationUnit;
}

// graphql-js executes each event of a subscription inside the `next()` call of the stream it returned
// (mapAsyncIterator awaits the source, then executes the payload in that call's async context), so a
// store set around `next()` reaches the event's resolvers, and nothing else's.
const eventSlots = new AsyncLocalStorage<EventSlot>();

// Mercurius runs its subscriptions' events itself, with no stream to wrap: an event's unit is opened by
// its top-level resolver and found again by the subscription (its connection's upgrade request and its
// id, both in the resolver's context and in Mercurius' onSubscriptionResolution hook).
const contextOpeners = new WeakMap<object, () => OperationUnit>(); // by Mercurius' `app.graphql`
const pendingByRequest = new WeakMap<object, Map<unknown, OperationUnit>>();

/** The part of a Mercurius subscription's context the adapter reads. */
export interface SubscriptionContext {
  /** The Fastify instance (an encapsulated one: its `graphql` is the one the hooks were added to). */
  readonly app?: { readonly graphql?: object };
  readonly request?: object;
  readonly id?: unknown;
}

/** Gives each event of the subscriptions of a Mercurius server (its `app.graphql`) a unit, found by its context. */
export function openEventUnitsByContext(graphql: object, openUnit: () => OperationUnit): void {
  contextOpeners.set(graphql, openUnit);
}

/** How to open a unit in the Mercurius server a subscription's context belongs to (for its start), if any. */
export function unitOpenerByContext(context: SubscriptionContext | undefined): (() => OperationUnit) | undefined {
  const graphql = context?.app?.graphql;
  return graphql === undefined ? undefined : contextOpeners.get(graphql);
}

/** The unit of the event a Mercurius subscription is resolving now (its hook ends it), if any. */
export function takeEventUnit(request: object | undefined, id: unknown): OperationUnit | undefined {
  const pending = request === undefined ? undefined : pendingByRequest.get(request);
  const unit = pending?.get(id);
  pending?.delete(id);
  return unit;
}

function eventUnitByContext(context: SubscriptionContext | undefined): OperationUnit | undefined {
  const graphql = context?.app?.graphql;
  const openUnit = graphql === undefined ? undefined : contextOpeners.get(graphql);
  if (openUnit === undefined || context?.request === undefined) return undefined;
  let pending = pendingByRequest.get(context.request);
  if (pending === undefined) pendingByRequest.set(context.request, (pending = new Map()));
  let unit = pending.get(context.id);
  if (unit === undefined) pending.set(context.id, (unit = openUnit()));
  return unit;
}

/** A graphql-ws `onOperation` hook, as graphql-ws 5 and 6 call it. */
export type OnOperation = (ctx: unknown, id: unknown, payload: unknown, args: unknown, result: unknown) => unknown;

/**
 * The graphql-ws `onOperation` hook (composed with the application's own, which runs first): a
 * subscription's stream of results is replaced by one that runs each event in a unit of its own,
 * ended by the event's result before graphql-ws sends it (graphql-ws awaits each result it sends
 * before it asks for the next one, so a subscription has one event in flight at a time).
 */
export function eventUnitsOnOperation(openUnit: () => OperationUnit, own: OnOperation | undefined): OnOperation {
  return async (ctx, id, payload, args, result) => {
    const replaced = (await own?.(ctx, id, payload, args, result)) ?? undefined;
    const stream = replaced ?? result;
    if (!isAsyncIterator(stream)) return replaced;
    return eventsInUnits(stream, openUnit);
  };
}

/**
 * Called by the schema wrapper for a top-level field of a subscription, once per event: runs its
 * resolver in the event's unit (undoable alone, as a mutation field is). Without an event unit (a
 * transport the adapter does not serve) the resolver is called as it is.
 */
export function resolveInEventUnit(info: FieldInfo, context: unknown, resolve: () => unknown): unknown {
  const unit = eventSlots.getStore()?.unit ?? eventUnitByContext(context as SubscriptionContext | undefined);
  if (unit === undefined) return resolve();
  registerOperation(info.variableValues, unit); // the event's nested fields find the unit by it
  const nullable = !info.returnType.toString().endsWith('!');
  return unit.runField(String(info.path.key), nullable, async () => await resolve());
}

type ResultIterator = AsyncIterator<unknown> & AsyncIterable<unknown>;

function eventsInUnits(stream: AsyncIterator<unknown>, openUnit: () => OperationUnit): ResultIterator {
  return {
    async next() {
      const slot: EventSlot = { unit: openUnit() };
      let step: IteratorResult<unknown>;
      try {
        step = await eventSlots.run(slot, () => stream.next());
      } catch (error) {
        await slot.unit.end(undefined);
        throw error;
      }
      const answer = step.done ? undefined : (step.value as GraphQLAnswer);
      await slot.unit.end(answer);
      if (answer?.errors !== undefined) answer.errors = answer.errors.map(serializable);
      return step;
    },
    async return(value?: unknown) {
      return stream.return ? stream.return(value) : { done: true, value: undefined };
    },
    async throw(error?: unknown) {
      if (stream.throw) return stream.throw(error);
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/** graphql-ws sends `error.toJSON()`: an error the unit added (work not stored) gets one too. */
export function serializable<E extends object>(error: E): E {
  if (typeof (error as { toJSON?: unknown }).toJSON === 'function') return error;
  const plain = { ...error };
  Object.defineProperty(error, 'toJSON', { value: () => plain, enumerable: false });
  return error;
}

function isAsyncIterator(value: unknown): value is AsyncIterator<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    Symbol.asyncIterator in value &&
    typeof (value as { next?: unknown }).next === 'function'
  );
}
