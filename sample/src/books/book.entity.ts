import { ApiProperty } from '@nestjs/swagger';
import { Column, DeleteDateColumn, Entity, JoinColumn, ManyToOne } from 'typeorm';
import { DialectColumnType, UUIDAuditBase } from 'nestjs-advanced-alchemy';
import { Author } from '../authors/author.entity';
import { ApiBaseColumns } from '../common/openapi.decorators';

/** A book of the catalogue. `isbn` is unique: a second book with the same ISBN is a 409. */
@Entity('books')
@ApiBaseColumns('uuid')
export class Book extends UUIDAuditBase {
  @ApiProperty({ example: 'A Wizard of Earthsea' })
  @Column({ type: 'varchar', length: 200 })
  title!: string;

  @ApiProperty({ example: '978-0-547-72202-3' })
  @Column({ type: 'varchar', length: 17, unique: true })
  isbn!: string;

  @ApiProperty({ type: 'integer', nullable: true, example: 1968 })
  @Column({ name: 'published_year', type: 'integer', nullable: true })
  publishedYear!: number | null;

  // The foreign key as a plain column, so it is in every response and filterable (`?authorId=`);
  // the relation beside it shares the column and makes the database refuse a dangling author.
  @ApiProperty({ format: 'uuid' })
  @Column({ name: 'author_id', type: 'uuid' })
  authorId!: string;

  // Set by DELETE /books/:id (a soft delete): the book stays, lists and reads leave it out, and
  // POST /books/:id/restore brings it back.
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  @DeleteDateColumn({ type: Date, precision: 6, nullable: true })
  @DialectColumnType({ postgres: 'timestamp with time zone' })
  deletedAt!: Date | null;

  @ManyToOne(() => Author, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'author_id' })
  author?: Author;
}
