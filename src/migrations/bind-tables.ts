import type { DataSource, EntityMetadata } from 'typeorm';

/** A table the bind key's entities map (junction tables of many-to-many relations included). */
export interface BindTable {
  /** The table name, as `dump-data --table` and the `<table>.json` files use it. */
  name: string;
  /** The table path SQL uses (schema-qualified when the entity names a schema). */
  path: string;
  metadata: EntityMetadata;
}

/** The tables of the bind key's entities, without views and without single-table-inheritance children. */
export function bindTables(dataSource: DataSource): BindTable[] {
  const seen = new Set<string>();
  const tables: BindTable[] = [];
  for (const metadata of dataSource.entityMetadatas) {
    if (metadata.tableType === 'view' || metadata.tableType === 'entity-child') continue;
    if (seen.has(metadata.tablePath)) continue;
    seen.add(metadata.tablePath);
    tables.push({ name: metadata.tableName, path: metadata.tablePath, metadata });
  }
  return tables;
}

/**
 * The tables ordered so that each comes after the tables its foreign keys reference (the order to
 * insert rows in; reverse it to drop). Tables in a reference cycle keep their given order.
 */
export function orderByForeignKeys(tables: readonly BindTable[]): BindTable[] {
  const byPath = new Map(tables.map((table) => [table.path, table]));
  const ordered: BindTable[] = [];
  const placed = new Set<string>();
  const visiting = new Set<string>();
  const place = (table: BindTable): void => {
    if (placed.has(table.path) || visiting.has(table.path)) return;
    visiting.add(table.path);
    for (const foreignKey of table.metadata.foreignKeys) {
      const referenced = byPath.get(foreignKey.referencedEntityMetadata.tablePath);
      if (referenced && referenced !== table) place(referenced);
    }
    visiting.delete(table.path);
    placed.add(table.path);
    ordered.push(table);
  };
  tables.forEach(place);
  return ordered;
}
