import type { TransactionCharacteristics } from './begin-transaction';
import type { StatementClass } from './statement-kind';

/** A session's own way to the primary: with its connection permit, pending BEGIN and deadline. */
export interface PrimaryPath {
  sendToPrimary(
    sql: string,
    parameters: unknown[] | undefined,
    structured: boolean | undefined,
    statementClass: StatementClass,
  ): Promise<unknown>;
}

/**
 * The routing stage of the statement pipeline: decides where each statement of one session runs.
 * A feature provides it (src/replicas: reads on a replica until the first write); the session
 * core knows only this shape.
 */
export interface StatementRoute {
  /** Runs the statement where the route says; `primary` when it belongs on the primary. */
  run(
    sql: string,
    parameters: unknown[] | undefined,
    structured: boolean | undefined,
    statementClass: StatementClass,
    primary: PrimaryPath,
  ): Promise<unknown>;
  /** Everything goes to the primary from now on (`session.usePrimary()`). */
  usePrimary(): void;
  /** A read-only unit is about to begin: true when it runs on the route instead (nothing begins on the primary). */
  beginReadOnly(characteristics: TransactionCharacteristics, type: string): boolean;
  /** The unit's commit or rollback: true when it was such a unit. */
  endReadOnly(): boolean;
  /** The session ends: gives back what the route holds. */
  release(): Promise<void>;
}

/** Opens the route of a new session (called when the session is made, inside its scope). */
export type OpenStatementRoute = () => StatementRoute;
