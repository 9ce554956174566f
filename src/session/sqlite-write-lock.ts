import { SessionAcquireTimeoutError } from '../errors/session-acquire-timeout.error';

interface Waiter {
  grant: () => void;
  timer: NodeJS.Timeout;
}

/**
 * First-come, first-served ownership of a SQLite database's single connection. A holder keeps it
 * from its first statement to the end of its transaction; others wait, up to a timeout.
 */
export class SqliteWriteLock {
  #held = false;
  readonly #waiters: Waiter[] = [];

  constructor(
    private readonly bindKey: string,
    private readonly timeoutMs: number,
  ) {}

  get isHeld(): boolean {
    return this.#held;
  }

  get waiting(): number {
    return this.#waiters.length;
  }

  acquire(): Promise<void> {
    if (!this.#held) {
      this.#held = true;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        grant: () => {
          clearTimeout(waiter.timer);
          resolve();
        },
        timer: setTimeout(() => {
          this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
          reject(
            new SessionAcquireTimeoutError(
              `Waited ${this.timeoutMs} ms for the SQLite connection of bind key "${this.bindKey}": another session ` +
                'kept it that long. SQLite runs one transaction at a time; keep transactions short, or raise ' +
                'engineConfig.poolTimeout. A withSession() on the same bind key inside a request waits for that ' +
                "request's own session and cannot finish: use the request's session instead.",
            ),
          );
        }, this.timeoutMs),
      };
      this.#waiters.push(waiter);
    });
  }

  release(): void {
    const next = this.#waiters.shift();
    if (next) next.grant();
    else this.#held = false;
  }
}
