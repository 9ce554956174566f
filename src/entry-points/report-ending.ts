import type { Logger } from '@nestjs/common';
import type { ScopeEnding } from '../session/session-scope';

/** Logs what went wrong while a unit of work ended (a failed commit, a session that would not close), passwords removed. */
export function reportEnding(
  logger: Logger,
  ending: ScopeEnding,
  context: string,
  redact: (error: unknown) => string,
): void {
  if (ending.commitError !== undefined) {
    // A two-phase commit fails as a whole: its bind keys are named (its error names the one that refused).
    const what =
      ending.commitBindKey !== undefined
        ? `Commit failed for bind key "${ending.commitBindKey}"`
        : ending.twoPhaseBindKeys !== undefined
          ? `Two-phase commit of bind keys ${ending.twoPhaseBindKeys.map((key) => `"${key}"`).join(', ')} failed`
          : 'Commit failed';
    logger.error(`${what} after ${context}: ${redact(ending.commitError)}`);
  }
  for (const { bindKey, error } of ending.closeErrors) {
    logger.warn(`Closing the session of bind key "${bindKey}" after ${context} failed: ${redact(error)}`);
  }
}

/** Runs the hooks of the ended transactions one batch after another (each hook's error is logged by its batch). */
export async function runEndingHooks(ending: ScopeEnding): Promise<void> {
  for (const hooks of ending.hooks) await hooks.run();
}

/** Runs the hooks of ended transactions after what is already queued (a held response or reply goes first). */
export function runEndingHooksDetached(ending: ScopeEnding): void {
  if (!ending.hooks.some((hooks) => hooks.size > 0)) return;
  setImmediate(() => void runEndingHooks(ending));
}
