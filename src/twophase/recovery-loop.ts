import type { Logger } from '@nestjs/common';
import type { InDoubtTransaction } from './recovery';

/**
 * Runs recovery every `intervalMs` (one pass at a time) while the application serves, so that the
 * transactions a crashed instance left prepared are finished by a survivor within lease + interval.
 */
export class RecoveryLoop {
  #timer?: NodeJS.Timeout;
  #running?: Promise<void>;
  #stopped = false;
  #failing = false;

  constructor(
    private readonly pass: () => Promise<InDoubtTransaction[]>,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  start(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#running = this.runOnce().finally(() => {
        this.#running = undefined;
        this.start();
      });
    }, this.intervalMs).unref();
  }

  /** Stops the loop; resolves once a pass under way has ended. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  private async runOnce(): Promise<void> {
    try {
      logRecovered(this.logger, await this.pass());
      this.#failing = false;
    } catch (error) {
      // A database that does not answer: the next pass tries again. Said once per outage.
      if (!this.#failing) this.logger.warn(`Two-phase recovery could not run: ${String(error)}`);
      this.#failing = true;
    }
  }
}

/** Logs what a recovery pass finished (transactions left to their live instance are not news). */
export function logRecovered(logger: Logger, report: readonly InDoubtTransaction[]): void {
  for (const entry of report) {
    if (entry.liveInstance !== undefined) continue;
    const done = entry.resolved ? (entry.outcome === 'commit' ? 'committed' : 'rolled back') : `left (${entry.error})`;
    logger.warn(`Recovery: in-doubt transaction ${entry.xid} of bind key "${entry.bindKey}" ${done}.`);
  }
}
