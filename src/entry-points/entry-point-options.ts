import type { CommitMode } from '../config/commit-mode';

/** The kinds of work Nest calls user code for besides a plain HTTP route. */
export type EntryPointKind = 'graphql' | 'queues' | 'schedule' | 'events' | 'messages' | 'cqrs';

/** How the module treats the units of work of one entry point. */
export interface EntryPointRule {
  /** Replaces every bind key's `commitMode` for the units of this entry point (default: the bind key's own). */
  commitMode?: CommitMode;
}

/** `entryPoints` of the module options: a rule per entry point, or `false` to open no unit of work there. */
export type EntryPointsOptions = Partial<Record<EntryPointKind, EntryPointRule | false>>;
