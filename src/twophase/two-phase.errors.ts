import { AdvancedAlchemyError } from '../errors/advanced-alchemy.error';
import { DatabaseUnavailableError } from '../errors/database-unavailable.error';

/**
 * Phase 1 failed (a participant refused or lost its PREPARE) and every participant was rolled
 * back, or is left prepared without a commit decision, which recovery rolls back: nothing is stored.
 * Answered as a failed commit (500). `reason` is the participant's error (not `cause`: a lost
 * connection there must not turn the answer into "outcome unknown").
 */
export class TwoPhaseAbortedError extends AdvancedAlchemyError {
  constructor(
    message: string,
    readonly reason: unknown,
  ) {
    super(message);
  }
}

/**
 * The commit was decided but a participant could not be reached to finish it: its transaction
 * stays prepared until recovery commits it. Answered 503 "outcome unknown" with Retry-After.
 */
export class TwoPhaseOutcomeUnknownError extends DatabaseUnavailableError {}
