import { SessionAcquireTimeoutError } from '../errors/session-acquire-timeout.error';

interface Waiter {
  grant: () => void;
  timer: NodeJS.Timeout;
}

/**
 * First-come, first-served permits for a bind key's connections, with a bounded wait. On SQLite
 * there is one (the single connection, held for a whole transaction); on a server it matches the
 * pool size, so sessions queue here, with the configured timeout, rather than inside the driver's
 * pool (mysql2's pool would wait forever).
 */
export class ConnectionSlots {
  #free: number;
  readonly #waiters: Waiter[] = [];

  constructor(
    readonly bindKey: string,
    readonly capacity: number,
    private readonly timeoutMs: number,
    private readonly kind: 'sqlite' | 'server',
  ) {
    this.#free = capacity;
  }

  /** Sessions waiting for a permit. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /** Permits in use. */
  get inUse(): number {
    return this.capacity - this.#free;
  }

  /** Takes a permit if one is free at once (no promise, no wait); false otherwise. */
  tryAcquire(): boolean {
    if (this.#free === 0) return false;
    this.#free--;
    return true;
  }

  acquire(): Promise<void> {
    if (this.tryAcquire()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        grant: () => {
          clearTimeout(waiter.timer);
          resolve();
        },
        timer: setTimeout(() => {
          this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
          reject(new SessionAcquireTimeoutError(this.timeoutMessage()));
        }, this.timeoutMs),
      };
      this.#waiters.push(waiter);
    });
  }

  release(): void {
    const next = this.#waiters.shift();
    if (next) next.grant();
    else this.#free++;
  }

  private timeoutMessage(): string {
    if (this.kind === 'sqlite') {
      return (
        `Waited ${this.timeoutMs} ms for the SQLite connection of bind key "${this.bindKey}": another session ` +
        'kept it that long. SQLite runs one transaction at a time; keep transactions short, or raise ' +
        'engineConfig.poolTimeout. A withSession() on the same bind key inside a request waits for that ' +
        "request's own session and cannot finish: use the request's session instead."
      );
    }
    return (
      `Waited ${this.timeoutMs} ms for a connection of bind key "${this.bindKey}": all ${this.capacity} were in use. ` +
      'Raise engineConfig.poolSize or engineConfig.poolTimeout, or shorten what holds connections.'
    );
  }
}
