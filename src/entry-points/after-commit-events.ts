import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { AdvancedAlchemy } from '../core/advanced-alchemy';
import { ImproperConfigurationError } from '../errors/improper-configuration.error';

/** What this needs of `EventEmitter2` (@nestjs/event-emitter's emitter). */
interface EventEmitter {
  emitAsync(event: string | symbol, ...values: unknown[]): Promise<unknown[]>;
}

type EventEmitterClass = abstract new (...args: never[]) => EventEmitter;

/**
 * Events delivered after commit: `emit` inside a unit of work (a request, a job, a tick,
 * `withSession`, a transaction) hands the event to `@nestjs/event-emitter` only once the
 * transaction of the current session COMMITs, and drops it when it rolls back. Listeners then run
 * after the unit ended, so each `@OnEvent` call is a unit of its own.
 */
@Injectable()
export class AfterCommitEvents {
  #emitter?: EventEmitter;

  constructor(
    private readonly alchemy: AdvancedAlchemy,
    private readonly moduleRef: ModuleRef,
  ) {}

  /** Emits `event` with `values` once the current transaction of the (only, or `default`) bind key commits. */
  emit(event: string | symbol, ...values: unknown[]): void {
    this.emitOn(undefined, event, ...values);
  }

  /** Emits `event` with `values` once the current transaction of `bindKey` commits. */
  emitOn(bindKey: string | undefined, event: string | symbol, ...values: unknown[]): void {
    const emitter = this.emitter();
    // getSession throws the module's SessionScopeError outside a unit of work: no transaction, no event.
    this.alchemy.getSession(bindKey).afterCommit(() => emitter.emitAsync(event, ...values));
  }

  private emitter(): EventEmitter {
    if (this.#emitter) return this.#emitter;
    let emitterClass: EventEmitterClass;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional peer, loaded on first use
      emitterClass = (require('@nestjs/event-emitter') as { EventEmitter2: EventEmitterClass }).EventEmitter2;
    } catch (error) {
      throw new ImproperConfigurationError(
        'AfterCommitEvents delivers events through @nestjs/event-emitter, which cannot be loaded: ' +
          'npm install @nestjs/event-emitter and import EventEmitterModule.forRoot().',
        { cause: error },
      );
    }
    try {
      this.#emitter = this.moduleRef.get(emitterClass, { strict: false });
    } catch (error) {
      throw new ImproperConfigurationError(
        'AfterCommitEvents found no event emitter: import EventEmitterModule.forRoot() from @nestjs/event-emitter in the application module.',
        { cause: error },
      );
    }
    return this.#emitter;
  }
}
