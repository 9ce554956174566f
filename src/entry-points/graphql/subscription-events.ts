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
 * resolver in the event's unit (undoable alone, as a mutation field is). Without an event slot (a
 * transport that does not run events through `eventsInUnits`) the resolver is called as it is.
 */
export function resolveInEventUnit(info: FieldInfo, resolve: () => unknown): unknown {
  const slot = eventSlots.getStore();
  if (slot === undefined) return resolve();
  registerOperation(info.variableValues, slot.unit); // the event's nested fields find the unit by it
  const nullable = !info.returnType.toString().endsWith('!');
  return slot.unit.runField(String(info.path.key), nullable, async () => await resolve());
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
function serializable<E extends object>(error: E): E {
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
