import { Logger } from '@nestjs/common';
import { TransactionHooks } from './transaction-hooks';

describe('TransactionHooks', () => {
  it("tells afterCompletion hooks how the transaction ended, after that outcome's own hooks", async () => {
    const ran: string[] = [];
    const committed = new TransactionHooks('default', []);
    const child = new TransactionHooks('default', []);
    committed.add('afterCompletion', (outcome) => ran.push(`parent ${String(outcome)}`));
    child.add('afterCompletion', (outcome) => ran.push(`child ${String(outcome)}`));
    committed.add('afterCommit', () => ran.push('commit'));
    child.moveInto(committed);
    await committed.committed().run();
    expect(ran).toEqual(['commit', 'parent committed', 'child committed']);

    ran.length = 0;
    const rolledBack = new TransactionHooks('default', []);
    rolledBack.add('afterCompletion', (outcome) => ran.push(String(outcome)));
    rolledBack.add('afterRollback', () => ran.push('rollback'));
    await rolledBack.rolledBack().run();
    expect(ran).toEqual(['rollback', 'rolledBack']);
    // Settled once.
    expect(rolledBack.committed().size).toBe(0);
  });

  it('runs the afterCommit hooks of a committed unit in order, with those handed over by released children', async () => {
    const ran: string[] = [];
    const parent = new TransactionHooks('default', []);
    const child = new TransactionHooks('default', []);
    parent.add('afterCommit', () => ran.push('parent'));
    child.add('afterCommit', () => ran.push('child'));
    child.add('afterRollback', () => ran.push('child rolled back'));
    child.moveInto(parent);
    await parent.committed().run();
    expect(ran).toEqual(['parent', 'child']);
    // Settled once: a second end finds nothing to run.
    expect(parent.committed().size).toBe(0);
    expect(parent.rolledBack().size).toBe(0);
  });

  it('runs beforeCommit hooks registered by beforeCommit hooks, and stops at the first that throws', async () => {
    const hooks = new TransactionHooks('default', []);
    const ran: string[] = [];
    hooks.add('beforeCommit', () => {
      ran.push('first');
      hooks.add('beforeCommit', () => ran.push('added by first'));
    });
    await hooks.runBeforeCommit();
    expect(ran).toEqual(['first', 'added by first']);
    hooks.add('beforeCommit', () => {
      throw new Error('no');
    });
    hooks.add('beforeCommit', () => ran.push('never'));
    await expect(hooks.runBeforeCommit()).rejects.toThrow('no');
    expect(ran).not.toContain('never');
  });

  it('logs a failing afterRollback hook with its bind key, passwords scrubbed, and runs the next one', async () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const hooks = new TransactionHooks('reports', ['s3cret']);
    const ran: string[] = [];
    hooks.add('afterRollback', () => {
      throw new Error('could not reach postgres://app:s3cret@db');
    });
    hooks.add('afterRollback', () => ran.push('next'));
    await hooks.rolledBack().run();
    expect(ran).toEqual(['next']);
    expect(logged.mock.calls[0][0]).toBe(
      'An afterRollback hook of bind key "reports" failed: could not reach postgres://app:***@db',
    );
    logged.mockRestore();
  });

  it('refuses a hook that is not a function', () => {
    expect(() => new TransactionHooks('default', []).add('afterCommit', 'mail' as never)).toThrow(TypeError);
  });
});
