import type { AnswerError, GraphQLAnswer } from './graphql-shapes';

/** What became of one top-level field's resolver in an operation. */
export interface FieldRun {
  /** True when the resolver resolved (its work is kept so far); false when it threw (its work is undone). */
  resolved: boolean;
  /** Whether the schema lets the field be `null` (a non-null one takes `data` with it). */
  nullable: boolean;
}

/**
 * Whether the answer carries the work of every field whose resolver resolved. It does not when
 * `data` is null (a non-null field failed: nothing is answered) or when such a field is answered
 * with an error after all (a sub-field of its value failed): that work cannot be undone alone.
 */
export function answerKeepsResolvedWork(
  answer: GraphQLAnswer | undefined,
  fields: ReadonlyMap<string, FieldRun>,
): boolean {
  if (answer === undefined || answer.data === null || answer.data === undefined) return false;
  const erred = new Set((answer.errors ?? []).map((error) => error.path?.[0]));
  for (const [key, run] of fields) if (run.resolved && erred.has(key)) return false;
  return true;
}

/** Why the work of answered fields was not stored, as the error each such field is answered with. */
export interface LostWork {
  code: string;
  message: string;
}

/**
 * Replaces the value of every field whose resolver resolved, and whose work was then not stored,
 * by an error saying so: `null` for a nullable field, `data: null` when one is non-null.
 */
export function answerWorkLost(answer: GraphQLAnswer, fields: ReadonlyMap<string, FieldRun>, lost: LostWork): void {
  const data = answer.data;
  if (data === null || data === undefined) return;
  const alreadyErred = new Set((answer.errors ?? []).map((error) => error.path?.[0]));
  const added: AnswerError[] = [];
  let dataLost = false;
  for (const [key, run] of fields) {
    if (!run.resolved || alreadyErred.has(key) || !(key in data)) continue;
    added.push({ message: lost.message, path: [key], extensions: { code: lost.code } });
    if (run.nullable) data[key] = null;
    else dataLost = true;
  }
  if (added.length === 0) return;
  answer.errors = [...(answer.errors ?? []), ...added];
  if (dataLost) answer.data = null;
}
