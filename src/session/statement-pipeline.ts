import type { QueryRunner } from 'typeorm';
import type { OpenStatementRoute } from './statement-route';

/**
 * The stages a bind key's statements pass through, chosen once at startup: each feature that
 * needs to see statements registers here (src/replicas its route, src/twophase its bookkeeping),
 * so a bind key without replicas, two-phase commit or write counting runs none of those stages
 * and classifies no statement. The deadline (the core's own) always applies; telemetry costs one
 * `hasSubscribers` check per statement, since subscribers may come and go while the app runs.
 */
export class StatementPipeline {
  #countsTwoPhaseWrites = false;
  #openRoute?: OpenStatementRoute;
  #adoptRunner?: (runner: QueryRunner) => void;
  #classifiesEvery: boolean;

  constructor(
    /** Manual mode that warns about or refuses uncommitted writes (src/commit): the sessions count them. */
    readonly countsUncommittedWrites: boolean,
    /** `beginOnFirstWrite`: until BEGIN is sent, a plain read runs outside the transaction. */
    readonly classifiesUntilReady: boolean,
  ) {
    this.#classifiesEvery = countsUncommittedWrites;
  }

  /** Routes each session's statements (src/replicas, at startup). */
  routeWith(open: OpenStatementRoute): void {
    this.#openRoute = open;
    this.#classifiesEvery = true;
  }

  /** Two-phase bookkeeping (src/twophase, at startup): counts writes and takes part in each new connection. */
  takeTwoPhasePart(adoptRunner: (runner: QueryRunner) => void): void {
    this.#countsTwoPhaseWrites = true;
    this.#adoptRunner = adoptRunner;
    this.#classifiesEvery = true;
  }

  /** Whether every statement is classified (some stage reads its class). */
  get classifiesEvery(): boolean {
    return this.#classifiesEvery;
  }

  get countsTwoPhaseWrites(): boolean {
    return this.#countsTwoPhaseWrites;
  }

  /** Whether two-phase commit covers this bind key. */
  get twoPhase(): boolean {
    return this.#countsTwoPhaseWrites;
  }

  get openRoute(): OpenStatementRoute | undefined {
    return this.#openRoute;
  }

  /** Called with each runner a session takes, before its first statement. */
  adoptRunner(runner: QueryRunner): void {
    this.#adoptRunner?.(runner);
  }
}
