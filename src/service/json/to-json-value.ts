import { getMetadataArgsStorage } from 'typeorm';

/** JSON-compatible data: what `jsonify` sends. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

type ClassTransformer = { instanceToPlain(value: unknown): unknown };
/** A class: what entity and class-transformer metadata are keyed by. */
type ClassType = abstract new (...args: never[]) => unknown;
let classTransformer: ClassTransformer | null | undefined;

/** class-transformer is an optional peer: used only when installed and the class has its decorators. */
function loadClassTransformer(): ClassTransformer | null {
  if (classTransformer === undefined) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional peer, loaded only if installed
      classTransformer = require('class-transformer') as ClassTransformer;
    } catch {
      classTransformer = null;
    }
  }
  return classTransformer;
}

function hasClassTransformerMetadata(type: ClassType): boolean {
  const transformer = loadClassTransformer();
  if (!transformer) return false;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- same optional peer as above
  const storage = (require('class-transformer/cjs/storage') as { defaultMetadataStorage: MetadataStorage })
    .defaultMetadataStorage;
  return storage.getExposedMetadatas(type).length > 0 || storage.getExcludedMetadatas(type, '').length > 0;
}

interface MetadataStorage {
  getExposedMetadatas(target: ClassType): unknown[];
  getExcludedMetadatas(target: ClassType, propertyName: string): unknown[];
}

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
  const isEntity = storage.tables.some((table) => tree.includes(table.target as ClassType));
  if (!isEntity) {
    shape = null;
  } else {
    const relations = storage.filterRelations(tree);
    const lazy = relations.filter((relation) => relation.isLazy).map((relation) => relation.propertyName);
    const properties = [
      ...storage.filterColumns(tree).map((column) => column.propertyName),
      ...storage.filterEmbeddeds(tree).map((embedded) => embedded.propertyName),
      ...relations.filter((relation) => !relation.isLazy).map((relation) => relation.propertyName),
    ];
    shape = { properties: [...new Set(properties)], lazyRelations: lazy };
  }
  entityShapes.set(type, shape);
  return shape;
}

function entityEntries(object: object, shape: EntityShape): Array<[string, unknown]> {
  const record = object as Record<string, unknown>;
  const entries: Array<[string, unknown]> = [];
  for (const property of shape.properties) {
    if (Object.prototype.hasOwnProperty.call(record, property)) entries.push([property, record[property]]);
  }
  for (const relation of shape.lazyRelations) {
    if (record[`__has_${relation}__`] === true) entries.push([relation, record[`__${relation}__`]]);
  }
  return entries;
}

/**
 * Turns what a handler returns into plain JSON data: entities (their own properties: columns and
 * loaded relations), arrays, pagination objects, class-transformer classes (`@Exclude`/`@Expose`
 * honoured), Maps (objects), Sets (arrays), Dates (ISO 8601 UTC with `Z`), bigints (strings),
 * Buffers (base64). Keys are copied onto fresh objects, so a `__proto__` key stays a plain key.
 */
export function toJsonValue(value: unknown): JsonValue | undefined {
  return convert(value, new Set());
}

function convert(value: unknown, path: Set<object>): JsonValue | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'bigint':
      return value.toString();
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return null;
  const object = value as object;
  if (object instanceof Date) return Number.isNaN(object.getTime()) ? null : object.toISOString();
  if (Buffer.isBuffer(object) || object instanceof Uint8Array)
    return Buffer.from(object as Uint8Array).toString('base64');
  if (path.has(object))
    throw new TypeError('jsonify: the data contains a circular reference, which JSON cannot represent.');
  path.add(object);
  try {
    return convertObject(object, path);
  } finally {
    path.delete(object);
  }
}

function convertObject(object: object, path: Set<object>): JsonValue | undefined {
  if (Array.isArray(object)) return object.map((item) => convert(item, path) ?? null);
  if (object instanceof Set) return [...object].map((item) => convert(item, path) ?? null);
  if (object instanceof Map) {
    return fromEntries(
      [...object].map(([key, item]) => [String(key), item]),
      path,
    );
  }
  const constructor: unknown = object.constructor;
  if (typeof constructor !== 'function' || constructor === Object) return fromEntries(Object.entries(object), path);
  const type = constructor as ClassType;
  if (hasClassTransformerMetadata(type)) return convert(loadClassTransformer()?.instanceToPlain(object), path);
  const shape = entityShape(type);
  if (shape) return fromEntries(entityEntries(object, shape), path);
  const toJSON = (object as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return convert(toJSON.call(object), path);
  return fromEntries(Object.entries(object), path);
}

function fromEntries(entries: Array<[string, unknown]>, path: Set<object>): { [key: string]: JsonValue } {
  const result: { [key: string]: JsonValue } = {};
  for (const [key, item] of entries) {
    const converted = convert(item, path);
    if (converted === undefined) continue;
    // defineProperty, not assignment: a "__proto__" key must stay data, never a prototype.
    Object.defineProperty(result, key, { value: converted, enumerable: true, writable: true, configurable: true });
  }
  return result;
}
