import type { ClassType } from './class-type';

// class-transformer is an optional peer: its decorators are honoured when it is installed.
// jsonify applies them itself (rather than calling instanceToPlain) so that entity internals
// stay out and circular data fails with a clear error.

interface ExposeMetadata {
  propertyName: string;
  options: { name?: string; toClassOnly?: boolean };
}
interface ExcludeMetadata {
  options: { toClassOnly?: boolean };
}
interface MetadataStorage {
  getStrategy(target: ClassType): 'excludeAll' | 'exposeAll' | 'none';
  findExposeMetadata(target: ClassType, propertyName: string): ExposeMetadata | undefined;
  findExcludeMetadata(target: ClassType, propertyName: string): ExcludeMetadata | undefined;
  getExposedMetadatas(target: ClassType): ExposeMetadata[];
}

let storage: MetadataStorage | null | undefined;

function metadataStorage(): MetadataStorage | null {
  if (storage === undefined) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional peer, loaded only if installed
      storage = (require('class-transformer/cjs/storage') as { defaultMetadataStorage: MetadataStorage })
        .defaultMetadataStorage;
    } catch {
      storage = null;
    }
  }
  return storage;
}

const forPlain = <T extends { options: { toClassOnly?: boolean } }>(metadata: T | undefined): T | undefined =>
  metadata && !metadata.options?.toClassOnly ? metadata : undefined;

/**
 * Applies `@Exclude`/`@Expose` (including a class-level `@Exclude()` with `@Expose()`d fields,
 * `@Expose({ name })` renames and `@Expose()` getters) to the entries of an object of `type`.
 * Groups, versions and `@Transform` are not applied.
 */
export function applyClassTransformerRules(
  type: ClassType,
  object: object,
  entries: Array<[string, unknown]>,
): Array<[string, unknown]> {
  const rules = metadataStorage();
  if (!rules) return entries;
  const strategy = rules.getStrategy(type);
  const exposed = rules.getExposedMetadatas(type).filter((metadata) => forPlain(metadata));
  const result: Array<[string, unknown]> = [];
  const seen = new Set<string>();
  for (const [key, value] of entries) {
    seen.add(key);
    if (forPlain(rules.findExcludeMetadata(type, key))) continue;
    const expose = forPlain(rules.findExposeMetadata(type, key));
    if (strategy === 'excludeAll' && !expose) continue;
    result.push([expose?.options.name ?? key, value]);
  }
  for (const metadata of exposed) {
    if (seen.has(metadata.propertyName)) continue;
    result.push([
      metadata.options.name ?? metadata.propertyName,
      (object as Record<string, unknown>)[metadata.propertyName],
    ]);
  }
  return result;
}
