import { AdvancedAlchemyError } from '../errors/advanced-alchemy.error';

/**
 * Revisions are migration class names (`AddBooks1700000000000`), ordered by their timestamp.
 * Besides a name, a revision can be `head` (the latest), `base` (before the first), `+N` / `-N`
 * (N steps up / down from the current state), a unique prefix of a name, or its timestamp.
 */
export const HEAD = 'head';
export const BASE = 'base';

/** Thrown when a revision names nothing (or several things); the message says what exists. */
export class RevisionError extends AdvancedAlchemyError {}

/** A migration recorded in the version table; `id` gives the order in which they were applied. */
export interface AppliedRevision {
  id: number;
  name: string;
}

/** Index of `revision` in `available` (sorted names); -1 for `base`, the last index for `head`. */
export function resolveRevision(revision: string, available: readonly string[], bindKey: string): number {
  if (revision === BASE) return -1;
  if (revision === HEAD) return available.length - 1;
  const exact = available.indexOf(revision);
  if (exact >= 0) return exact;
  const matches = available
    .map((name, index) => ({ name, index }))
    .filter(({ name }) => name.startsWith(revision) || (/^\d{13}$/.test(revision) && name.endsWith(revision)));
  if (matches.length === 1) return matches[0].index;
  const known = available.length ? available.join(', ') : 'none';
  throw new RevisionError(
    matches.length > 1
      ? `Bind key "${bindKey}": revision "${revision}" is ambiguous: ${matches.map((m) => m.name).join(', ')}.`
      : `Bind key "${bindKey}": unknown revision "${revision}". Known revisions: ${known}.`,
  );
}

/** The migrations `upgrade REV` applies, in order: those not applied up to REV (`+N`: the next N). */
export function planUpgrade(
  revision: string,
  available: readonly string[],
  applied: readonly AppliedRevision[],
  bindKey: string,
): string[] {
  const done = new Set(applied.map((migration) => migration.name));
  const pending = available.filter((name) => !done.has(name));
  const relative = /^\+(\d+)$/.exec(revision);
  if (relative) return pending.slice(0, Number(relative[1]));
  const target = resolveRevision(revision, available, bindKey);
  return available.slice(0, target + 1).filter((name) => !done.has(name));
}

/**
 * The migrations `downgrade REV` reverts, most recently applied first: `-N` the last N applied,
 * `base` all of them, a name those applied after it.
 */
export function planDowngrade(
  revision: string,
  available: readonly string[],
  applied: readonly AppliedRevision[],
  bindKey: string,
): string[] {
  const newestFirst = [...applied].sort((a, b) => b.id - a.id).map((migration) => migration.name);
  const relative = /^-(\d+)$/.exec(revision);
  if (relative) {
    const steps = Number(relative[1]);
    if (steps > newestFirst.length) {
      throw new RevisionError(
        `Bind key "${bindKey}": cannot go down ${steps} revision(s): only ${newestFirst.length} applied.`,
      );
    }
    return newestFirst.slice(0, steps);
  }
  if (revision === HEAD) return [];
  const target = resolveRevision(revision, available, bindKey);
  const keep = new Set(available.slice(0, target + 1));
  return newestFirst.filter((name) => !keep.has(name));
}

/** What `stamp REV` changes so that exactly the migrations up to REV are recorded as applied. */
export function planStamp(
  revision: string,
  available: readonly string[],
  applied: readonly AppliedRevision[],
  bindKey: string,
): { record: string[]; forget: string[] } {
  const target = resolveRevision(revision, available, bindKey);
  const wanted = new Set(available.slice(0, target + 1));
  const done = new Set(applied.map((migration) => migration.name));
  return {
    record: [...wanted].filter((name) => !done.has(name)),
    forget: [...done].filter((name) => !wanted.has(name)),
  };
}

/** The current revision: the migration applied last, or `base` when none is. */
export function currentRevision(applied: readonly AppliedRevision[]): string {
  if (applied.length === 0) return BASE;
  return applied.reduce((latest, migration) => (migration.id > latest.id ? migration : latest)).name;
}
