import { EventSubscriber, type EntitySubscriberInterface, type ObjectLiteral, type UpdateEvent } from 'typeorm';

/**
 * The seed's `enable_touch_updated_timestamp_listener`: when an existing row is updated and its
 * `updatedAt` column was not set by hand, `updatedAt` becomes now. Columns TypeORM already manages
 * (`@UpdateDateColumn`) are left to TypeORM.
 */
// TypeORM ignores subscriber classes listed in `subscribers` unless they carry this decorator.
@EventSubscriber()
export class TouchUpdatedTimestampSubscriber implements EntitySubscriberInterface {
  beforeUpdate(event: UpdateEvent<ObjectLiteral>): void {
    const entity = event.entity;
    if (!entity) return;
    const column = event.metadata.columns.find(
      (candidate) => candidate.propertyName === 'updatedAt' || candidate.databaseName === 'updated_at',
    );
    if (!column || column.isUpdateDate) return;
    const current: unknown = column.getEntityValue(entity);
    const stored: unknown = event.databaseEntity ? column.getEntityValue(event.databaseEntity) : undefined;
    const setByHand = event.databaseEntity ? !sameInstant(current, stored) : current !== undefined;
    if (!setByHand) column.setEntityValue(entity, new Date());
  }
}

function sameInstant(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return a === b;
}
