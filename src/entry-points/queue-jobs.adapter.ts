import { methodAdapter, methodsWithMetadata } from './entry-point-adapter';

// Metadata keys of @nestjs/bullmq, read without importing it (an optional peer).
const PROCESSOR = 'bullmq:processor_metadata';
const ON_WORKER_EVENT = 'bullmq:worker_events_metadata';

/**
 * BullMQ processors (`@Processor()` classes extending `WorkerHost`): each `process(job)` call is a
 * unit of work, committed before the job is reported complete; a throw, or a failed COMMIT, fails
 * the job (BullMQ retries it by its `attempts`). Each `@OnWorkerEvent` handler call is a unit too
 * (its failure is logged: the worker does not wait for it).
 */
export const queueJobsAdapter = methodAdapter('queues', (type) => {
  if (Reflect.getMetadata(PROCESSOR, type) === undefined) return [];
  return [
    { name: 'process', style: 'unit' as const },
    ...methodsWithMetadata(type, ON_WORKER_EVENT).map((name) => ({ name, style: 'listener' as const })),
  ];
});
