import { randomUUID } from 'node:crypto';
import { BeforeInsert, PrimaryColumn } from 'typeorm';
import { stampCreation } from './audit-stamps';
import { UtcTimestampColumn } from './utc-timestamp-column';

/**
 * An entity with a random UUID (version 4) primary key `id`, made in JavaScript when the row is
 * inserted (so every database gets the same kind of value): native `uuid` on PostgreSQL and
 * MariaDB 10.7+, text elsewhere. Extend it and add `@Entity()`.
 */
export abstract class UUIDBase {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @BeforeInsert()
  protected assignUuidPrimaryKey(): void {
    this.id ??= randomUUID();
  }
}

/** `UUIDBase` with `createdAt`/`updatedAt` (UTC instants). */
export abstract class UUIDAuditBase extends UUIDBase {
  @UtcTimestampColumn()
  createdAt!: Date;

  @UtcTimestampColumn()
  updatedAt!: Date;

  @BeforeInsert()
  protected stampAuditTimestamps(): void {
    stampCreation(this);
  }
}
