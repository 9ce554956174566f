import { ApiProperty } from '@nestjs/swagger';
import { BeforeInsert, Column, Entity } from 'typeorm';
import { BigIntBase, UtcTimestampColumn } from 'nestjs-advanced-alchemy';
import { ApiBaseColumns } from '../common/openapi.decorators';

/** One successful write of the catalogue, kept in the audit database (bind key `audit`). Never updated. */
@Entity('audit_entries')
@ApiBaseColumns('integer', false)
export class AuditEntry extends BigIntBase {
  /** What happened, as `<subject>.<verb>`: `book.created`, `loan.returned`… */
  @ApiProperty({ example: 'book.created' })
  @Column({ type: 'varchar', length: 50 })
  action!: string;

  /** The id of the author, book or loan, as text (UUIDs and numbers alike). */
  @ApiProperty()
  @Column({ name: 'subject_id', type: 'varchar', length: 64 })
  subjectId!: string;

  @ApiProperty({ type: String, nullable: true })
  @Column({ type: 'varchar', length: 300, nullable: true })
  summary!: string | null;

  @ApiProperty({ type: String, format: 'date-time' })
  @UtcTimestampColumn()
  createdAt!: Date;

  @BeforeInsert()
  protected stampCreation(): void {
    this.createdAt ??= new Date();
  }
}
