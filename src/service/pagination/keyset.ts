import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { FilterContext, type ResolvedColumn } from '../filters/filter-context';
import type { OrderBy } from '../filters/order-by';
import { cursorKey, decodeCursor, encodeCursor } from './cursor-codec';
import type { CursorPage } from './cursor-page';

interface SortKey {
  resolved: ResolvedColumn;
  descending: boolean;
  nullable: boolean;
  /** The raw select alias its value comes back under. */
  alias: string;
}

let keysetSequence = 0;

/**
 * Turns a SELECT into a keyset page: ordered by the `OrderBy` fields then the primary key, NULLs
 * after the values ascending and before them descending (the same on every database), only rows
 * after the cursor's, at most `limit + 1` (the extra row says whether there is a next page).
 * Returns how to make the next cursor from the raw row of a page's last item.
 */
export function applyKeyset<Entity extends ObjectLiteral>(
  query: SelectQueryBuilder<Entity>,
  orderBy: readonly OrderBy[],
  page: CursorPage,
): (raw: Record<string, unknown>) => string {
  const context = FilterContext.of(query);
  const metadata = context.metadata;
  const keys: SortKey[] = [];
  const seen = new Set<string>();
  const add = (resolved: ResolvedColumn, descending: boolean) => {
    if (seen.has(resolved.sql)) return;
    seen.add(resolved.sql);
    keys.push({ resolved, descending, nullable: resolved.column.isNullable, alias: `aa_cursor_${keys.length}` });
  };
  for (const order of orderBy) add(context.column(order.field, 'order'), order.sortOrder === 'desc');
  for (const column of metadata.primaryColumns) add(context.column(column.propertyPath, 'order'), false);
  const signature = keys.map((key) => `${key.resolved.field}:${key.descending ? 'desc' : 'asc'}`).join(',');
  const secret = cursorKey(page.options.secret);

  for (const key of keys) {
    const direction = key.descending ? 'DESC' : 'ASC';
    if (key.nullable) query.addOrderBy(`CASE WHEN ${key.resolved.sql} IS NULL THEN 1 ELSE 0 END`, direction);
    query.addOrderBy(key.resolved.sql, direction);
    query.addSelect(comparableSql(context, key.resolved), key.alias);
  }
  if (page.cursor !== undefined) {
    const values = decodeCursor(page.cursor, secret, { entity: metadata.name, order: signature });
    const condition = afterCondition(keys, values);
    query.andWhere(condition.sql, condition.parameters);
  }
  query.limit(page.limit + 1);
  return (raw) =>
    encodeCursor({ entity: metadata.name, order: signature, values: keys.map((key) => plain(raw[key.alias])) }, secret);
}

/**
 * The column as the value the cursor keeps: date-times as text with every digit the database
 * stores (a JavaScript Date keeps milliseconds only, and a row at .123456 would come back after
 * a cursor at .123).
 */
function comparableSql(context: FilterContext, resolved: ResolvedColumn): string {
  if (resolved.kind !== 'datetime' && resolved.kind !== 'date') return resolved.sql;
  if (context.dialect === 'postgres') return `CAST(${resolved.sql} AS text)`;
  if (context.dialect === 'mysql') return `CAST(${resolved.sql} AS CHAR)`;
  return resolved.sql;
}

/** A raw value as JSON keeps it (drivers may hand back bigints, buffers or dates). */
function plain(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return value.toString('hex');
  return value;
}

/** Rows after the cursor's: (k1 after v1) OR (k1 = v1 AND k2 after v2) OR … */
function afterCondition(keys: readonly SortKey[], values: readonly unknown[]) {
  const prefix = `aak${++keysetSequence}`;
  const parameters: Record<string, unknown> = {};
  const equal: string[] = [];
  const alternatives: string[] = [];
  keys.forEach((key, index) => {
    const value = values[index] ?? null;
    const name = `${prefix}_${index}`;
    if (value !== null) parameters[name] = value;
    const col = key.resolved.sql;
    // NULLs sort last ascending, first descending.
    let after: string | undefined;
    if (value === null) after = key.descending ? `${col} IS NOT NULL` : undefined;
    else if (key.descending) after = `${col} < :${name}`;
    else after = key.nullable ? `(${col} > :${name} OR ${col} IS NULL)` : `${col} > :${name}`;
    if (after) alternatives.push([...equal, after].join(' AND '));
    equal.push(value === null ? `${col} IS NULL` : `${col} = :${name}`);
  });
  return { sql: alternatives.length > 0 ? `(${alternatives.map((a) => `(${a})`).join(' OR ')})` : '1 = 0', parameters };
}
