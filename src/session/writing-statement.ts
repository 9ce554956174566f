/**
 * Statements that change data or schema: what a rollback loses. A leading `WITH` counts when the
 * statement it introduces writes (PostgreSQL's data-modifying CTEs). Comments before the verb are skipped.
 */
const WRITING_VERB =
  /^(?:\s|--[^\n]*\n|\/\*[\s\S]*?\*\/)*(?:INSERT|UPDATE|DELETE|MERGE|REPLACE|UPSERT|CREATE|ALTER|DROP|TRUNCATE|RENAME|COMMENT|GRANT|REVOKE)\b/i;
const WRITING_CTE = /^\s*WITH\b[\s\S]*\b(?:INSERT|UPDATE|DELETE|MERGE)\b/i;

export function isWritingStatement(sql: string): boolean {
  return WRITING_VERB.test(sql) || WRITING_CTE.test(sql);
}
