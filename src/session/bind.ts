import type { DataSource } from 'typeorm';
import type { AlchemyConfig } from '../config/alchemy-config';
import type { CommitMode } from '../config/commit-mode';
import type { IsolationLevel } from '../config/engine-config';
import type { ConnectionSlots } from './connection-slots';

/** A configured bind key at run time: its position in declaration order and its open DataSource. */
export class Bind {
  readonly key: string;
  readonly commitMode: CommitMode;
  readonly autoBegin: boolean;
  readonly isolationLevel?: IsolationLevel;
  /** Manual mode with `warnOnUncommittedWrites`: sessions count their writes so a lost one is reported. */
  readonly warnsOnUncommittedWrites: boolean;
  /** Set when the application shuts down: no new session may take a connection. */
  closing = false;
  #openSessions = 0;
  #drained?: () => void;

  constructor(
    /** Declaration order: sessions are committed in this order. */
    readonly index: number,
    readonly config: AlchemyConfig,
    readonly dataSource: DataSource,
    /** Whether the module created or initialised the DataSource, and so destroys it at shutdown. */
    readonly ownsDataSource: boolean,
    /** Permits for the pool's connections (server databases); SQLite queues at the connection itself. */
    readonly slots?: ConnectionSlots,
  ) {
    this.key = config.bindKey;
    this.commitMode = config.commitMode;
    this.autoBegin = config.sessionConfig.autoBegin !== false;
    this.isolationLevel = config.sessionConfig.isolationLevel ?? config.engineConfig.isolationLevel;
    this.warnsOnUncommittedWrites = config.commitMode === 'manual' && config.warnOnUncommittedWrites;
  }

  /** Sessions that hold (or may hold) a query runner right now. */
  get openSessions(): number {
    return this.#openSessions;
  }

  sessionOpened(): void {
    this.#openSessions++;
  }

  sessionClosed(): void {
    this.#openSessions--;
    if (this.#openSessions === 0) this.#drained?.();
  }

  /** Resolves when no session is open any more, or after `timeoutMs`, whichever comes first. */
  drain(timeoutMs: number): Promise<void> {
    if (this.#openSessions === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      timer.unref();
      this.#drained = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
