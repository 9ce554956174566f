// What a statement does, read off its text: enough to count a transaction's writes and to know
// which statements may run outside a transaction or on a replica. When in doubt a statement counts
// as writing: that direction is only slower, never wrong.

const LEADING_NOISE = String.raw`^(?:\s|--[^\n]*\n|\/\*[\s\S]*?\*\/|\()*`;

/**
 * Statements that change data or schema: what a rollback loses. A leading `WITH` counts when the
 * statement it introduces writes (PostgreSQL's data-modifying CTEs). Comments before the verb are skipped.
 */
const WRITING_VERB = new RegExp(
  `${LEADING_NOISE}(?:INSERT|UPDATE|DELETE|MERGE|REPLACE|UPSERT|CREATE|ALTER|DROP|TRUNCATE|RENAME|COMMENT|GRANT|REVOKE)\\b`,
  'i',
);
const WRITING_CTE = /^\s*WITH\b[\s\S]*\b(?:INSERT|UPDATE|DELETE|MERGE)\b/i;

export function isWritingStatement(sql: string): boolean {
  return WRITING_VERB.test(sql) || WRITING_CTE.test(sql);
}

const READING_VERB = new RegExp(`${LEADING_NOISE}(?:SELECT|WITH|SHOW)\\b`, 'i');
/**
 * What makes a SELECT more than a read: row locks (`FOR UPDATE/SHARE`, `LOCK IN SHARE MODE`), a
 * data-modifying CTE, `SELECT … INTO`, and the functions that change state (sequences, advisory and
 * named locks, settings). A user-defined function that writes is not seen: such a call belongs
 * after `begin()` (docs/sessions.md).
 */
const MORE_THAN_A_READ =
  /\b(?:INSERT|UPDATE|DELETE|MERGE|INTO|SHARE|NEXTVAL|SETVAL|LASTVAL|PG_ADVISORY_\w*|PG_TRY_ADVISORY_\w*|GET_LOCK|RELEASE_LOCK|SET_CONFIG|LAST_INSERT_ID|SLEEP|PG_SLEEP\w*)\b/i;

/** A statement that starts as a read (`SELECT`, `WITH`, `SHOW`), locking or not. */
export function isReadingStatement(sql: string): boolean {
  return READING_VERB.test(sql);
}

/** A statement that only reads and takes no lock: it may run outside a transaction or on a replica. */
export function isPlainRead(sql: string): boolean {
  return READING_VERB.test(sql) && !MORE_THAN_A_READ.test(sql);
}

/** What one statement is, read once and handed to every stage of the statement pipeline (bit flags). */
export type StatementClass = number;
/** Changes data or schema. */
export const WRITES = 1;
/** Starts as a read (`SELECT`, `WITH`, `SHOW`), locking or not. */
export const READS = 2;
/** Only reads and takes no lock. */
export const PLAIN_READ = 4;
/** Not classified: no stage of the bind key needed it (such a statement counts as writing). */
export const UNCLASSIFIED: StatementClass = WRITES | READS;

export function classifyStatement(sql: string): StatementClass {
  // Two tests for the common statements, as the predicates above would take for one question each:
  // a statement that starts as a read cannot start with a writing verb, and one that does not
  // cannot be a data-modifying CTE (which starts with WITH); a plain read names no writing verb.
  if (READING_VERB.test(sql)) {
    if (!MORE_THAN_A_READ.test(sql)) return READS | PLAIN_READ;
    return WRITING_CTE.test(sql) ? WRITES | READS : READS;
  }
  return WRITING_VERB.test(sql) ? WRITES : 0;
}
