import type { DataSource } from 'typeorm';
import type { AlchemyConfig } from '../config/alchemy-config';
import type { CommitMode } from '../config/commit-mode';
import type { IsolationLevel } from '../config/engine-config';

/** A configured bind key at run time: its position in declaration order and its open DataSource. */
export class Bind {
  readonly key: string;
  readonly commitMode: CommitMode;
  readonly autoBegin: boolean;
  readonly isolationLevel?: IsolationLevel;

  constructor(
    /** Declaration order: sessions are committed in this order. */
    readonly index: number,
    readonly config: AlchemyConfig,
    readonly dataSource: DataSource,
    /** Whether the module created or initialised the DataSource, and so destroys it at shutdown. */
    readonly ownsDataSource: boolean,
  ) {
    this.key = config.bindKey;
    this.commitMode = config.commitMode;
    this.autoBegin = config.sessionConfig.autoBegin !== false;
    this.isolationLevel = config.sessionConfig.isolationLevel ?? config.engineConfig.isolationLevel;
  }
}
