import { COMMIT_MODES, type CommitMode } from '../config/commit-mode';
import { ImproperConfigurationError } from '../errors/improper-configuration.error';
import type { EntryPointKind, EntryPointRule, EntryPointsOptions } from './entry-point-options';

const ENTRY_POINT_KINDS: readonly EntryPointKind[] = ['graphql', 'queues', 'schedule', 'events', 'messages', 'cqrs'];
const EXAMPLE = "e.g. entryPoints: { queues: { commitMode: 'autocommit' }, schedule: false }";

/** The checked `entryPoints` option: a rule for every entry point (`false` where the module opens no unit). */
export type EntryPointRules = Readonly<Record<EntryPointKind, Readonly<EntryPointRule> | false>>;

/**
 * Checks the `entryPoints` module option at startup: an unknown entry point, a value that is
 * neither `false` nor a rule, an unknown rule field or commit mode fails with the fix in the message.
 */
export function checkEntryPoints(value: unknown): EntryPointRules {
  const rules: Record<EntryPointKind, EntryPointRule | false> = {
    graphql: {},
    queues: {},
    schedule: {},
    events: {},
    messages: {},
    cqrs: {},
  };
  if (value === undefined) return rules;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(`must be an object naming entry points, got ${describe(value)}`);
  }
  for (const [key, rule] of Object.entries(value as EntryPointsOptions)) {
    if (!ENTRY_POINT_KINDS.includes(key as EntryPointKind)) {
      throw invalid(`has an unknown entry point "${key}"; the entry points are ${list(ENTRY_POINT_KINDS)}`);
    }
    rules[key as EntryPointKind] = checkRule(key, rule);
  }
  return rules;
}

function checkRule(key: string, rule: unknown): EntryPointRule | false {
  if (rule === false || rule === undefined) return rule === false ? false : {};
  if (typeof rule !== 'object' || rule === null || Array.isArray(rule)) {
    throw invalid(
      `.${key} must be false (no unit of work) or a rule like { commitMode: 'autocommit' }, got ${describe(rule)}`,
    );
  }
  for (const [field, fieldValue] of Object.entries(rule)) {
    if (field !== 'commitMode') throw invalid(`.${key} has an unknown field "${field}"; a rule has only commitMode`);
    if (fieldValue !== undefined && !COMMIT_MODES.includes(fieldValue as CommitMode)) {
      throw invalid(`.${key}.commitMode must be one of ${list(COMMIT_MODES)}, got ${describe(fieldValue)}`);
    }
  }
  return { ...(rule as EntryPointRule) };
}

function invalid(problem: string): ImproperConfigurationError {
  return new ImproperConfigurationError(
    `AdvancedAlchemyModule option entryPoints${problem.startsWith('.') ? '' : ' '}${problem}: ${EXAMPLE}.`,
  );
}

function list(values: readonly string[]): string {
  return values.map((value) => `"${value}"`).join(', ');
}

function describe(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : (JSON.stringify(value) ?? String(value));
}
