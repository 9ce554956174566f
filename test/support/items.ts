import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** The table of `Item`: every suite has a database of its own, so they share the name. */
export const ITEMS = 'items';

/** A row with a label, for suites that look their rows up by label. */
@Entity(ITEMS)
export class Item {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 100 }) label!: string;
}
