import { TransactionState, type TransactionDepthHolder } from './transaction-state';

const defaults = Object.freeze({ isolationLevel: undefined, readOnly: false });

/** A query runner's depth fields as TypeORM starts them. */
function freshRunner(depth = 0): TransactionDepthHolder {
  return { transactionDepth: depth, isTransactionActive: depth > 0 };
}

describe('TransactionState', () => {
  it('with autoBegin, is pending before and after the session takes its runner, and looks open to TypeORM', () => {
    const state = new TransactionState(true, defaults);
    expect(state.beginPending).toBe(true);
    const runner = freshRunner();
    state.adopt(runner);
    expect(state.beginPending).toBe(true);
    expect(runner).toEqual({ transactionDepth: 1, isTransactionActive: true });
    expect(state.inTransaction).toBe(false);
    expect(state.statementsInTransaction).toBe(true);
    expect(state.openLevels).toBe(0);
  });

  it('sending the pending BEGIN gives the runner its real depth; the BEGIN raises it', () => {
    const state = new TransactionState(true, defaults);
    const runner = freshRunner();
    state.adopt(runner);
    state.clearPending();
    expect(runner).toEqual({ transactionDepth: 0, isTransactionActive: false });
    runner.transactionDepth = 1; // what TypeORM's startTransaction does
    expect(state.inTransaction).toBe(true);
    expect(state.openLevels).toBe(1);
  });

  it('arms the next BEGIN after an end, with the default characteristics again', () => {
    const state = new TransactionState(true, defaults);
    const runner = freshRunner();
    state.adopt(runner);
    state.clearPending();
    const readOnly = { isolationLevel: 'SERIALIZABLE' as const, readOnly: true };
    state.beginning(readOnly);
    runner.transactionDepth = 1;
    expect(state.characteristics).toBe(readOnly);
    runner.transactionDepth = 0; // COMMIT
    state.arm();
    expect(state.beginPending).toBe(true);
    expect(state.characteristics).toBe(defaults);
    expect(runner.transactionDepth).toBe(1);
  });

  it('without autoBegin, nothing is pending and a statement runs outside any transaction', () => {
    const state = new TransactionState(false, defaults);
    const runner = freshRunner();
    state.adopt(runner);
    expect(state.beginPending).toBe(false);
    expect(runner).toEqual({ transactionDepth: 0, isTransactionActive: false });
    expect(state.statementsInTransaction).toBe(false);
    state.arm();
    expect(state.beginPending).toBe(false);
  });

  it('joins a transaction that is already open (the testing kit) without counting it as its own', () => {
    const state = new TransactionState(true, defaults);
    const runner = freshRunner(1);
    state.adopt(runner);
    expect(state.baseDepth).toBe(1);
    expect(runner.transactionDepth).toBe(2);
    state.clearPending();
    expect(runner.transactionDepth).toBe(1);
    expect(state.inTransaction).toBe(false);
  });

  it('after two-phase PREPARE the connection is outside any transaction', () => {
    const state = new TransactionState(true, defaults);
    const runner = freshRunner();
    state.adopt(runner);
    state.clearPending();
    runner.transactionDepth = 1;
    state.leftByPrepare();
    expect(runner).toEqual({ transactionDepth: 0, isTransactionActive: false });
    expect(state.inTransaction).toBe(false);
  });

  it('forgets its runner at close: pending again as before the first statement', () => {
    const state = new TransactionState(true, defaults);
    const runner = freshRunner();
    state.adopt(runner);
    state.forget();
    expect(runner.transactionDepth).toBe(0);
    expect(state.beginPending).toBe(true);
    // …but nothing is armed: a statement the session sends while it closes (a timeout restored) begins nothing.
    expect(state.armed).toBe(false);
    expect(state.inTransaction).toBe(false);
  });

  it('names savepoints uniquely within the session', () => {
    const state = new TransactionState(true, defaults);
    expect([state.nextSavepointName(), state.nextSavepointName()]).toEqual(['aa_savepoint_1', 'aa_savepoint_2']);
  });
});
