import { SerialQueue } from './serial-queue';

describe('SerialQueue', () => {
  it('starts a task only once the one before it settled, failed or not', async () => {
    const queue = new SerialQueue();
    const events: string[] = [];
    const task = (name: string, fail: boolean) => async () => {
      events.push(`start ${name}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      events.push(`end ${name}`);
      if (fail) throw new Error(name);
      return name;
    };
    const outcomes = await Promise.allSettled([queue.run(task('a', true)), queue.run(task('b', false))]);
    expect(events).toEqual(['start a', 'end a', 'start b', 'end b']);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'fulfilled']);
  });
});
