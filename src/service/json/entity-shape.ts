import { getMetadataArgsStorage } from 'typeorm';
import type { ClassType } from './class-type';

interface EntityShape {
  /** Column, embedded and eager/normal relation properties, read as own values. */
  properties: string[];
  /** Lazy relations: TypeORM keeps a loaded value under `__name__`, the rest is a promise getter. */
  lazyRelations: string[];
}

const entityShapes = new WeakMap<ClassType, EntityShape | null>();

/** The serialisable properties of an entity class (its columns and relations), or null for other classes. */
function entityShape(type: ClassType): EntityShape | null {
  let shape = entityShapes.get(type);
  if (shape !== undefined) return shape;
  const storage = getMetadataArgsStorage();
  const tree: ClassType[] = [];
  for (let current: unknown = type; typeof current === 'function' && current !== Function.prototype;) {
    tree.push(current as ClassType);
    current = Object.getPrototypeOf(current);
  }
  if (!storage.tables.some((table) => tree.includes(table.target as ClassType))) {
    shape = null;
  } else {
    const relations = storage.filterRelations(tree);
    const properties = [
      ...storage.filterColumns(tree).map((column) => column.propertyName),
      ...storage.filterEmbeddeds(tree).map((embedded) => embedded.propertyName),
      ...relations.filter((relation) => !relation.isLazy).map((relation) => relation.propertyName),
    ];
    shape = {
      properties: [...new Set(properties)],
      lazyRelations: relations.filter((relation) => relation.isLazy).map((relation) => relation.propertyName),
    };
  }
  entityShapes.set(type, shape);
  return shape;
}

/**
 * The entries of an entity to serialise: its columns, embeddeds and loaded relations, never
 * TypeORM's bookkeeping (`__name__`, `__has_name__`). Null when `type` is not an entity class.
 */
export function entityEntries(type: ClassType, object: object): Array<[string, unknown]> | null {
  const shape = entityShape(type);
  if (!shape) return null;
  const record = object as Record<string, unknown>;
  const entries: Array<[string, unknown]> = [];
  for (const property of shape.properties) {
    if (Object.prototype.hasOwnProperty.call(record, property)) entries.push([property, record[property]]);
  }
  for (const relation of shape.lazyRelations) {
    // Awaiting the relation sets `__has_x__`; loading it with a join sets only `__x__`.
    const loaded = record[`__${relation}__`];
    if (record[`__has_${relation}__`] === true || loaded !== undefined) entries.push([relation, loaded]);
  }
  return entries;
}
