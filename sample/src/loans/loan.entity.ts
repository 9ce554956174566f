import { ApiProperty } from '@nestjs/swagger';
import { Column, Entity, JoinColumn, ManyToOne, VersionColumn } from 'typeorm';
import { BigIntAuditBase, UtcTimestampColumn } from 'nestjs-advanced-alchemy';
import { Book } from '../books/book.entity';
import { ApiBaseColumns } from '../common/openapi.decorators';

/** A book lent to someone; open while `returnedAt` is null. Numbered ids (BigIntAuditBase), unlike books. */
@Entity('loans')
@ApiBaseColumns('integer')
export class Loan extends BigIntAuditBase {
  @ApiProperty({ format: 'uuid' })
  @Column({ name: 'book_id', type: 'uuid' })
  bookId!: string;

  @ManyToOne(() => Book, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'book_id' })
  book?: Book;

  @ApiProperty({ example: 'Ged' })
  @Column({ type: 'varchar', length: 100 })
  borrower!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  @UtcTimestampColumn({ nullable: true })
  returnedAt!: Date | null;

  /** Moves on at every change: PATCH /loans/:id carries the version it read, and a stale one is a 409. */
  @ApiProperty({ type: 'integer', example: 1 })
  @VersionColumn()
  version!: number;
}
