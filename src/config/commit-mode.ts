/**
 * When the module ends a request's session by itself:
 * - `manual`: never commits; whatever the handler did not commit itself is rolled back.
 * - `autocommit`: commits when the client receives 200–299, rolls back otherwise.
 * - `autocommit_include_redirect`: commits on 200–399, rolls back otherwise.
 */
export const COMMIT_MODES = ['manual', 'autocommit', 'autocommit_include_redirect'] as const;
export type CommitMode = (typeof COMMIT_MODES)[number];

/** Whether a session in `mode` commits when the client receives `status`. */
export function commitsOnStatus(mode: CommitMode, status: number): boolean {
  switch (mode) {
    case 'autocommit':
      return status >= 200 && status < 300;
    case 'autocommit_include_redirect':
      return status >= 200 && status < 400;
    case 'manual':
      return false;
  }
}
