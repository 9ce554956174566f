import { IntegrityError } from './integrity.error';

/** A value the database cannot store at all, e.g. a NUL character in PostgreSQL text (HTTP 422). */
export class InvalidValueError extends IntegrityError {}
