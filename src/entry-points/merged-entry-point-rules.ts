import { ImproperConfigurationError } from '../errors/improper-configuration.error';
import type { EntryPointRules } from './check-entry-points';
import type { EntryPointKind, EntryPointRule, EntryPointsOptions } from './entry-point-options';

interface Merged {
  readonly rules: Record<EntryPointKind, Readonly<EntryPointRule> | false>;
  /** Which registration stated the rule of each entry point. */
  readonly statedBy: Map<EntryPointKind, string>;
  /** The first two imports found stating different rules for one entry point. */
  conflict?: ImproperConfigurationError;
}

// One merged set of rules per application (its registry: the `AdvancedAlchemy` every import joins).
const mergedByApplication = new WeakMap<object, Merged>();

/**
 * Merges the entry point rules of every `forRoot` / `forRootAsync` import of one application: each
 * import's units read the returned object, which later imports complete. Two imports that state
 * different rules for the same entry point are noted, for `rejectEntryPointConflicts`.
 */
export function mergeEntryPointRules(
  application: object,
  importConfigs: ReadonlyArray<{ readonly bindKey: string }>,
  rules: EntryPointRules,
  stated: EntryPointsOptions | undefined,
): EntryPointRules {
  let merged = mergedByApplication.get(application);
  if (merged === undefined) {
    merged = { rules: { ...rules }, statedBy: new Map() };
    mergedByApplication.set(application, merged);
  }
  const registration = `the import of bind key ${importConfigs.map((config) => `"${config.bindKey}"`).join(', ')}`;
  for (const key of Object.keys(stated ?? {}) as EntryPointKind[]) {
    const rule = rules[key];
    const earlier = merged.statedBy.get(key);
    if (earlier !== undefined && describe(merged.rules[key]) !== describe(rule)) {
      merged.conflict ??= new ImproperConfigurationError(
        `AdvancedAlchemyModule option entryPoints.${key} is ${describe(merged.rules[key])} in ${earlier} and ` +
          `${describe(rule)} in ${registration}: state the rule of an entry point in one import only, or the same in both.`,
      );
      continue;
    }
    merged.rules[key] = rule;
    merged.statedBy.set(key, registration);
  }
  return merged.rules;
}

/**
 * Fails the startup (from the module's `onModuleInit`, which closes the pools first) when two imports
 * of the application stated different rules for one entry point, naming both.
 */
export function rejectEntryPointConflicts(application: object): void {
  const conflict = mergedByApplication.get(application)?.conflict;
  if (conflict !== undefined) throw conflict;
}

function describe(rule: Readonly<EntryPointRule> | false): string {
  if (rule === false) return 'false';
  return rule.commitMode === undefined ? '{}' : `{ commitMode: '${rule.commitMode}' }`;
}
