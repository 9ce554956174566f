import { StatementPipeline } from './statement-pipeline';
import type { StatementRoute } from './statement-route';

describe('StatementPipeline', () => {
  it('a bind key with no feature stage classifies no statement and has no route', () => {
    const pipeline = new StatementPipeline(false, false);
    expect(pipeline.classifiesEvery).toBe(false);
    expect(pipeline.openRoute).toBeUndefined();
    expect(pipeline.twoPhase).toBe(false);
    expect(() => pipeline.adoptRunner({} as never)).not.toThrow();
  });

  it('write counting (manual mode) classifies every statement', () => {
    expect(new StatementPipeline(true, false).classifiesEvery).toBe(true);
  });

  it('beginOnFirstWrite classifies only until BEGIN is sent', () => {
    const pipeline = new StatementPipeline(false, true);
    expect(pipeline.classifiesEvery).toBe(false);
    expect(pipeline.classifiesUntilReady).toBe(true);
  });

  it('a route registered at startup is opened per session and makes every statement classified', () => {
    const pipeline = new StatementPipeline(false, false);
    const route = {} as StatementRoute;
    pipeline.routeWith(() => route);
    expect(pipeline.classifiesEvery).toBe(true);
    expect(pipeline.openRoute?.()).toBe(route);
  });

  it('two-phase bookkeeping counts writes and adopts each runner', () => {
    const pipeline = new StatementPipeline(false, false);
    const adopted: unknown[] = [];
    pipeline.takeTwoPhasePart((runner) => adopted.push(runner));
    const runner = {} as never;
    pipeline.adoptRunner(runner);
    expect(pipeline.twoPhase).toBe(true);
    expect(pipeline.countsTwoPhaseWrites).toBe(true);
    expect(adopted).toEqual([runner]);
  });
});
