import { BeforeInsert, PrimaryColumn } from 'typeorm';
import { stampCreation } from './audit-stamps';
import { UtcTimestampColumn } from './utc-timestamp-column';
import { uuid7 } from './uuid-v7';

/**
 * An entity with a time-ordered UUID (version 7) primary key `id`, made in JavaScript when the
 * row is inserted: ids sort in creation order, which keeps B-tree indexes compact.
 */
export abstract class UUIDv7Base {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @BeforeInsert()
  protected assignUuidPrimaryKey(): void {
    this.id ??= uuid7();
  }
}

/** `UUIDv7Base` with `createdAt`/`updatedAt` (UTC instants). */
export abstract class UUIDv7AuditBase extends UUIDv7Base {
  @UtcTimestampColumn()
  createdAt!: Date;

  @UtcTimestampColumn()
  updatedAt!: Date;

  @BeforeInsert()
  protected stampAuditTimestamps(): void {
    stampCreation(this);
  }
}
