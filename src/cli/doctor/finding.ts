/**
 * One line of `doctor`: `ok`, `warn` (works, but not as the user may think) or `fail` (blocks
 * the application or the command line: the exit code is 1).
 */
export interface Finding {
  level: 'ok' | 'warn' | 'fail';
  /** What was checked, e.g. `Node`, `[default] database`. */
  subject: string;
  /** What was found. */
  detail: string;
  /** What to do about a `warn` or `fail`: a command or an edit, written to be copied. */
  fix?: string;
}

const MARK: Record<Finding['level'], string> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' };

/** The finding as one or two lines: the mark, the subject and what was found; then the fix. */
export function renderFinding(finding: Finding): string {
  const line = `${MARK[finding.level]}  ${finding.subject}: ${finding.detail}`;
  return finding.fix && finding.level !== 'ok' ? `${line}\n      fix: ${finding.fix}` : line;
}
