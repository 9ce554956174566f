import { InvalidFilterError } from '../../errors/invalid-filter.error';
import { integerRange } from './column-kind';
import { describeField, type FilterContext, type ResolvedColumn } from './filter-context';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const INT64_MAX = 9223372036854775807n;

/**
 * Checks a text value: databases reject NUL characters and text that is not well-formed Unicode
 * (or silently replace it), so such a value is a filter error, not a database error.
 */
export function checkText(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new InvalidFilterError(`${what} must be a string (got ${typeof value}).`);
  if (value.includes('\u0000')) throw new InvalidFilterError(`${what} must not contain NUL characters.`);
  if (LONE_SURROGATE.test(value)) throw new InvalidFilterError(`${what} is not well-formed Unicode text.`);
  return value;
}

/**
 * Turns a filter value into the parameter bound for a column: checked against what the column
 * can hold (an `InvalidFilterError` otherwise), then converted as TypeORM converts values it
 * persists (column transformers, dates as the driver stores them, booleans as 0/1 …).
 */
export function toParameter(context: FilterContext, resolved: ResolvedColumn, value: unknown): unknown {
  const what = `The value for ${describeField(resolved.field)}`;
  if (value === undefined || value === null) throw new InvalidFilterError(`${what} is missing.`);
  const checked = checkValue(context, resolved, value, what);
  return context.driver.preparePersistentValue(checked, resolved.column);
}

function checkValue(context: FilterContext, resolved: ResolvedColumn, value: unknown, what: string): unknown {
  switch (resolved.kind) {
    case 'text':
      return checkText(value, what);
    case 'enum': {
      const allowed = (resolved.column.enum ?? []).map(String);
      if (!allowed.includes(String(value))) {
        throw new InvalidFilterError(`${what} must be one of ${allowed.join(', ')}.`);
      }
      return value;
    }
    case 'uuid': {
      if (typeof value !== 'string' || !UUID.test(value)) throw new InvalidFilterError(`${what} must be a UUID.`);
      return value.toLowerCase();
    }
    case 'integer': {
      const range = integerRange(resolved.column, context.driver, context.dialect);
      const number = toNumber(value);
      if (!Number.isInteger(number) || number < range.min || number > range.max) {
        throw new InvalidFilterError(`${what} must be an integer between ${range.min} and ${range.max}.`);
      }
      return number;
    }
    case 'bigint':
      return checkBigint(value, what);
    case 'number': {
      const number = toNumber(value);
      if (!Number.isFinite(number)) throw new InvalidFilterError(`${what} must be a finite number.`);
      return number;
    }
    case 'boolean':
      if (value === true || value === 'true') return true;
      if (value === false || value === 'false') return false;
      throw new InvalidFilterError(`${what} must be true or false.`);
    case 'date':
    case 'datetime':
      return toDate(value, what);
    case 'other':
      return value;
  }
}

function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && DECIMAL.test(value.trim())) return Number(value);
  return Number.NaN;
}

/** A bigint stays a number while it is safe, else a decimal string (which every driver binds exactly). */
function checkBigint(value: unknown, what: string): number | string {
  let big: bigint | undefined;
  if (typeof value === 'bigint') big = value;
  else if (typeof value === 'number' && Number.isSafeInteger(value)) big = BigInt(value);
  else if (typeof value === 'string' && INTEGER.test(value.trim())) big = BigInt(value.trim());
  if (big === undefined || big > INT64_MAX || big < -INT64_MAX - 1n) {
    throw new InvalidFilterError(`${what} must be a 64-bit integer.`);
  }
  const number = Number(big);
  return Number.isSafeInteger(number) ? number : big.toString();
}

/** A Date from a Date or an ISO 8601 string, within years 1–9999 (what every database can compare). */
export function toDate(value: unknown, what: string): Date {
  const date =
    value instanceof Date
      ? value
      : typeof value === 'string' && ISO_DATE_TIME.test(value)
        ? new Date(value)
        : undefined;
  const year = date?.getUTCFullYear();
  if (!date || Number.isNaN(date.getTime()) || year === undefined || year < 1 || year > 9999) {
    throw new InvalidFilterError(`${what} must be a date-time in ISO 8601 form, e.g. 2024-05-01T12:00:00Z.`);
  }
  return date;
}
