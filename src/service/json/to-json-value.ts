import { applyClassTransformerRules } from './class-transformer-rules';
import type { ClassType } from './class-type';
import { entityEntries } from './entity-shape';

/** JSON-compatible data: what `jsonify` sends. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * Turns what a handler returns into plain JSON data: entities (their columns and loaded
 * relations), arrays, pagination objects, class-transformer classes (`@Exclude`/`@Expose`
 * honoured), objects with `toJSON`, Maps (objects), Sets (arrays), Dates (ISO 8601 UTC with `Z`),
 * bigints (strings), Buffers (base64). Keys are copied onto fresh objects, so a `__proto__` key
 * stays a plain key. Circular data is a TypeError.
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
  if (object instanceof Uint8Array) return Buffer.from(object).toString('base64');
  if (path.has(object)) {
    throw new TypeError('jsonify: the data contains a circular reference, which JSON cannot represent.');
  }
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
  const type = typeof constructor === 'function' && constructor !== Object ? (constructor as ClassType) : undefined;
  let entries = type ? entityEntries(type, object) : null;
  if (!entries) {
    const toJSON = (object as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return convert(toJSON.call(object), path);
    entries = Object.entries(object);
  }
  return fromEntries(type ? applyClassTransformerRules(type, object, entries) : entries, path);
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
