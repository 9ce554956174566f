import { methodAdapter, methodsWithMetadata, type HandlerClass } from './entry-point-adapter';
import type { CallStyle } from './wrap-handler-method';

// Metadata keys of @nestjs/bullmq and @nestjs/bull (Bull 4), read without importing either (optional peers).
const BULLMQ_PROCESSOR = 'bullmq:processor_metadata';
const BULLMQ_ON_WORKER_EVENT = 'bullmq:worker_events_metadata';
const BULL_PROCESSOR = 'bull:module_queue';
const BULL_PROCESS = 'bull:module_queue_process';
const BULL_ON_QUEUE_EVENT = 'bull:module_on_queue_event';

/**
 * Queue consumers: each job attempt is a unit of work, committed before the queue library is told the
 * job is complete; a throw, or a failed COMMIT, fails the attempt (the library retries it by its
 * `attempts`). Each event handler call (`@OnWorkerEvent`, `@OnQueueEvent`-style listeners) is a unit
 * too, whose failure is logged: the library does not wait for it.
 * - BullMQ (`@nestjs/bullmq`): `process(job)` of a `@Processor()` class extending `WorkerHost`.
 * - Bull 4 (`@nestjs/bull`): the `@Process()` methods of a `@Processor()` class (promise-returning ones).
 */
export const queueJobsAdapter = methodAdapter('queues', (type) => [
  ...(Reflect.getMetadata(BULLMQ_PROCESSOR, type) === undefined
    ? []
    : [{ name: 'process', style: 'unit' as CallStyle }, ...listeners(type, BULLMQ_ON_WORKER_EVENT)]),
  ...(Reflect.getMetadata(BULL_PROCESSOR, type) === undefined
    ? []
    : [
        ...methodsWithMetadata(type, BULL_PROCESS).map((name) => ({ name, style: 'unit' as CallStyle })),
        ...listeners(type, BULL_ON_QUEUE_EVENT),
      ]),
]);

function listeners(type: HandlerClass, key: string): Array<{ name: string; style: CallStyle }> {
  return methodsWithMetadata(type, key).map((name) => ({ name, style: 'listener' }));
}
