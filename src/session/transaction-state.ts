import type { TransactionCharacteristics } from './begin-transaction';

/** The part of TypeORM's query runner the transaction state writes: its nesting depth, kept protected by TypeORM. */
export interface TransactionDepthHolder {
  isTransactionActive: boolean;
  transactionDepth: number;
}

/**
 * Where a session's transaction stands: none, pending (BEGIN deferred to the first statement),
 * open, and how deep (savepoints). A pending BEGIN sets the runner's depth as if the transaction
 * were open, so that TypeORM's `save()` does not open and commit one of its own.
 *
 * Plain state, no I/O: the session sends BEGIN, COMMIT and ROLLBACK and tells this machine.
 */
export class TransactionState {
  #runner?: TransactionDepthHolder;
  /**
   * The runner's depth when the session got it: 0, or 1 when it joined a transaction that is
   * already open (a test transaction of the testing kit). The session never ends that one.
   */
  #baseDepth = 0;
  #beginPending = false;
  #savepoints = 0;
  /** How the open (or pending) transaction began. */
  #characteristics: Readonly<TransactionCharacteristics>;

  constructor(
    /** Whether the session begins a transaction by itself at its first statement (and after each end). */
    readonly autoBegin: boolean,
    /** How a transaction begins unless a unit asks otherwise. */
    private readonly defaults: Readonly<TransactionCharacteristics>,
  ) {
    this.#characteristics = defaults;
  }

  /** The session took `runner`: its current depth is the base, and a BEGIN is armed with autoBegin. */
  adopt(runner: TransactionDepthHolder): void {
    this.#runner = runner;
    this.#baseDepth = runner.transactionDepth ?? 0;
    this.arm();
  }

  /** The session gave its runner back. */
  forget(): void {
    this.clearPending();
    this.#runner = undefined;
  }

  get baseDepth(): number {
    return this.#baseDepth;
  }

  /** BEGIN is armed on the runner the session holds: its next statement sends it. */
  get armed(): boolean {
    return this.#beginPending;
  }

  /** True while the next statement is to begin the transaction (before the session has a runner too). */
  get beginPending(): boolean {
    return this.#runner === undefined ? this.autoBegin : this.#beginPending;
  }

  /** A transaction of the session's own is open (BEGIN sent, not ended). */
  get inTransaction(): boolean {
    const runner = this.#runner;
    return runner !== undefined && runner.transactionDepth > this.#baseDepth && !this.#beginPending;
  }

  /** A statement sent now runs inside a transaction of the session's (open, or pending and about to begin). */
  get statementsInTransaction(): boolean {
    const runner = this.#runner;
    return runner !== undefined && runner.transactionDepth > this.#baseDepth;
  }

  /** Transactions the session still has to end: its own levels above the base. */
  get openLevels(): number {
    const runner = this.#runner;
    return runner === undefined || this.#beginPending ? 0 : runner.transactionDepth - this.#baseDepth;
  }

  get characteristics(): Readonly<TransactionCharacteristics> {
    return this.#characteristics;
  }

  /** BEGIN is about to go out with these characteristics. */
  beginning(characteristics: Readonly<TransactionCharacteristics>): void {
    this.#characteristics = characteristics;
  }

  /** A read-only unit reads from a replica instead: nothing begins on the primary. */
  beganElsewhere(characteristics: Readonly<TransactionCharacteristics>): void {
    this.#characteristics = characteristics;
  }

  /** That unit ended. */
  resetCharacteristics(): void {
    this.#characteristics = this.defaults;
  }

  /** The transaction ended (COMMIT, ROLLBACK, or a failed BEGIN): with autoBegin the next statement begins another. */
  arm(): void {
    this.#characteristics = this.defaults;
    if (!this.autoBegin || this.#runner === undefined) return;
    this.#beginPending = true;
    this.setDepth(this.#baseDepth + 1);
  }

  /** The pending BEGIN is being sent (or dropped): the runner's depth is its real one again. */
  clearPending(): void {
    if (!this.#beginPending) return;
    this.#beginPending = false;
    this.setDepth(this.#baseDepth);
  }

  /** Two-phase commit prepared the transaction: the connection is outside any transaction now. */
  leftByPrepare(): void {
    this.setDepth(this.#baseDepth);
  }

  /** A name for the next savepoint, unique in this session. */
  nextSavepointName(): string {
    return `aa_savepoint_${++this.#savepoints}`;
  }

  private setDepth(depth: number): void {
    const runner = this.#runner;
    if (runner === undefined) return;
    runner.transactionDepth = depth;
    runner.isTransactionActive = depth > 0;
  }
}
