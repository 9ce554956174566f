import { AdvancedAlchemyError } from '../errors/advanced-alchemy.error';

/** Exit codes of the `database` command line. */
export const EXIT = {
  /** Done. */
  ok: 0,
  /** A command failed, or `check` found changes no migration covers. */
  failure: 1,
  /** Bad usage, or a destructive command refused (no terminal to confirm on, or the answer was no). */
  usage: 2,
} as const;

/** Ends the command with a message on stderr and the given exit code. */
export class CliError extends AdvancedAlchemyError {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failure,
  ) {
    super(message);
  }
}
