import { ApiProperty } from '@nestjs/swagger';
import { Column, Entity } from 'typeorm';
import { UUIDAuditBase } from 'nestjs-advanced-alchemy';
import { ApiBaseColumns } from '../common/openapi.decorators';

/** An author: a random UUID `id`, `createdAt`/`updatedAt` from the base entity. */
@Entity('authors')
@ApiBaseColumns('uuid')
export class Author extends UUIDAuditBase {
  @ApiProperty({ example: 'Ursula K. Le Guin' })
  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @ApiProperty({ type: 'integer', nullable: true, example: 1929 })
  @Column({ name: 'birth_year', type: 'integer', nullable: true })
  birthYear!: number | null;
}
