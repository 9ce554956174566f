import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** The one table every variant writes and reads. */
@Entity('bench_items')
export class Item {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 64 }) name!: string;
}
