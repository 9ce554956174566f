import { methodAdapter, methodsWithMetadata } from './entry-point-adapter';

// Metadata key @nestjs/schedule puts on `@Cron`, `@Interval` and `@Timeout` methods, read without importing it.
const SCHEDULER_TYPE = 'SCHEDULER_TYPE';

/**
 * `@Cron`, `@Interval` and `@Timeout` handlers of `@nestjs/schedule`: every tick is a unit of work
 * of its own (an overlapping tick gets its own sessions), committed when the handler resolves,
 * rolled back when it throws (the scheduler then logs the error, as it does without this module).
 */
export const scheduledTicksAdapter = methodAdapter('schedule', (type) =>
  methodsWithMetadata(type, SCHEDULER_TYPE).map((name) => ({ name, style: 'unit' as const })),
);
