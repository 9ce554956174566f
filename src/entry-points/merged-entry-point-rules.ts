import { ImproperConfigurationError } from '../errors/improper-configuration.error';
import type { EntryPointRules } from './check-entry-points';
import type { EntryPointKind, EntryPointRule, EntryPointsOptions } from './entry-point-options';

interface Merged {
  readonly rules: Record<EntryPointKind, Readonly<EntryPointRule> | false>;
  /** Which registration stated the rule of each entry point. */
  readonly statedBy: Map<EntryPointKind, string>;
}

// One merged set of rules per application (its registry: the `AdvancedAlchemy` every import joins).
const mergedByApplication = new WeakMap<object, Merged>();

/**
 * Merges the entry point rules of every `forRoot` / `forRootAsync` import of one application: each
 * import's units read the returned object, which later imports complete. Two imports that state
 * different rules for the same entry point fail the startup, naming both.
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
      throw new ImproperConfigurationError(
        `AdvancedAlchemyModule option entryPoints.${key} is ${describe(merged.rules[key])} in ${earlier} and ` +
          `${describe(rule)} in ${registration}: state the rule of an entry point in one import only, or the same in both.`,
      );
    }
    merged.rules[key] = rule;
    merged.statedBy.set(key, registration);
  }
  return merged.rules;
}

function describe(rule: Readonly<EntryPointRule> | false): string {
  if (rule === false) return 'false';
  return rule.commitMode === undefined ? '{}' : `{ commitMode: '${rule.commitMode}' }`;
}
