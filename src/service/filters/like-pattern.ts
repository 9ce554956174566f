import type { SqlDialect } from './sql-dialect';

/** A text pattern, database-neutral: literal runs, `any` (zero or more characters) and `one` (exactly one). */
export type PatternPart = { literal: string } | 'any' | 'one';

/** Where a literal must appear in the text. */
export type LiteralPosition = 'contains' | 'startsWith' | 'endsWith';

/** The pattern matching texts that contain / start with / end with `value`, taken literally. */
export function literalPattern(value: string, position: LiteralPosition): PatternPart[] {
  const parts: PatternPart[] = [];
  if (position !== 'startsWith') parts.push('any');
  if (value !== '') parts.push({ literal: value });
  if (position !== 'endsWith') parts.push('any');
  return parts;
}

/**
 * Parses a LIKE pattern the way PostgreSQL and MySQL read it by default: `%` and `_` are wildcards
 * and a backslash makes the next character literal (a trailing backslash is itself literal).
 */
export function parseLikePattern(pattern: string): PatternPart[] {
  const parts: PatternPart[] = [];
  let literal = '';
  const flush = (): void => {
    if (literal !== '') parts.push({ literal });
    literal = '';
  };
  const characters = Array.from(pattern);
  for (let index = 0; index < characters.length; index++) {
    const character = characters[index];
    if (character === '\\' && index + 1 < characters.length) {
      literal += characters[++index];
    } else if (character === '%' || character === '_') {
      flush();
      parts.push(character === '%' ? 'any' : 'one');
    } else {
      literal += character;
    }
  }
  flush();
  return parts;
}

/** The escape character of the LIKE patterns we send: not a backslash, which dialects treat differently. */
export const LIKE_ESCAPE = '!';

/** A pattern as the value of `LIKE … ESCAPE '!'`: wildcards become `%`/`_`, literal `!`, `%`, `_` are escaped. */
export function toLikeValue(parts: readonly PatternPart[]): string {
  return parts
    .map((part) => (part === 'any' ? '%' : part === 'one' ? '_' : part.literal.replace(/[!%_]/g, '!$&')))
    .join('');
}

/** A pattern as the value of SQLite's `GLOB` (case-sensitive): `*`, `?`, `[` in literals are bracketed. */
export function toGlobValue(parts: readonly PatternPart[]): string {
  return parts
    .map((part) => (part === 'any' ? '*' : part === 'one' ? '?' : part.literal.replace(/[*?[]/g, '[$&]')))
    .join('');
}

/**
 * The SQL that matches a column against a pattern bound as `:parameter`, with the same meaning on
 * every database: case-sensitive unless `ignoreCase`, where both sides go through `LOWER()`.
 * SQLite's LIKE ignores ASCII case, so case-sensitive matching there uses GLOB; MySQL/MariaDB
 * compare through the column's collation (case- and accent-insensitive by default), so both sides
 * are compared under `utf8mb4_bin`.
 */
export function textMatchSql(
  dialect: SqlDialect,
  column: string,
  parameter: string,
  parts: readonly PatternPart[],
  ignoreCase: boolean,
): { sql: string; value: string } {
  const escape = `ESCAPE '${LIKE_ESCAPE}'`;
  if (dialect === 'sqlite' && !ignoreCase) return { sql: `${column} GLOB :${parameter}`, value: toGlobValue(parts) };
  const value = toLikeValue(parts);
  if (dialect === 'mysql') {
    const side = (sql: string): string => {
      const converted = `CONVERT(${sql} USING utf8mb4)`;
      return `${ignoreCase ? `LOWER(${converted})` : converted} COLLATE utf8mb4_bin`;
    };
    return { sql: `${side(column)} LIKE ${side(`:${parameter}`)} ${escape}`, value };
  }
  if (ignoreCase) return { sql: `LOWER(${column}) LIKE LOWER(:${parameter}) ${escape}`, value };
  return { sql: `${column} LIKE :${parameter} ${escape}`, value };
}
