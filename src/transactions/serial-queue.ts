/**
 * Runs tasks one after another, in the order they were queued: two savepoint units of one session
 * started together would otherwise interleave their statements on its one connection.
 */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
