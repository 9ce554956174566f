import { methodAdapter } from './entry-point-adapter';
import type { CallStyle } from './wrap-handler-method';

// Metadata keys @nestjs/cqrs puts on handler classes, read without importing it (an optional peer).
const COMMAND_HANDLER = '__commandHandler__';
const QUERY_HANDLER = '__queryHandler__';
const EVENTS_HANDLER = '__eventsHandler__';

/**
 * `@nestjs/cqrs` handlers:
 * - `@CommandHandler`: `execute` is a unit of its own (committed when it resolves, rolled back when it
 *   throws), or joins the unit it is called in (a request, a job, another command);
 * - `@QueryHandler`: `execute` joins the open unit (a unit of its own outside any);
 * - `@EventsHandler`: `handle` runs once the unit that published the event committed, never after
 *   its rollback, in a unit of its own (its failure is logged, as the event bus does).
 */
export const cqrsHandlersAdapter = methodAdapter('cqrs', (type) => [
  ...(has(type, COMMAND_HANDLER) || has(type, QUERY_HANDLER) ? [{ name: 'execute', style: 'join' as CallStyle }] : []),
  ...(has(type, EVENTS_HANDLER) ? [{ name: 'handle', style: 'afterCommit' as CallStyle }] : []),
]);

function has(type: object, key: string): boolean {
  return Reflect.getMetadata(key, type) !== undefined;
}
