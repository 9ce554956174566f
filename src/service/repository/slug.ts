import { randomBytes } from 'node:crypto';
import type { ObjectLiteral, Repository } from 'typeorm';
import { InvalidFilterError } from '../../errors/invalid-filter.error';
import { ComparisonFilter } from '../filters/comparison-filter';
import { FilterContext } from '../filters/filter-context';

export interface SlugOptions {
  /** The field holding slugs. Default `slug`. */
  field?: string;
  /** Suffixed slugs tried before giving up (a `RepositoryError`). Default 10. */
  attempts?: number;
}

const SUFFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** `"Crème Brûlée: A Story!"` → `creme-brulee-a-story`: ASCII letters and digits, joined by hyphens. */
export function slugify(value: string): string {
  return value
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

function suffix(): string {
  return [...randomBytes(4)].map((byte) => SUFFIX_ALPHABET[byte % SUFFIX_ALPHABET.length]).join('');
}

/** See `AlchemyRepositoryService.getAvailableSlug`. */
export async function availableSlug<Entity extends ObjectLiteral>(
  repository: Repository<Entity>,
  value: string,
  options: SlugOptions,
): Promise<string> {
  const field = options.field ?? 'slug';
  const resolved = FilterContext.forEntity(repository.manager.dataSource, repository.metadata).column(field, 'slug');
  const base = slugify(typeof value === 'string' ? value : '');
  if (base === '') throw new InvalidFilterError('A slug needs a value with at least one letter or digit.');
  const maxLength = Number(resolved.column.length) || undefined;
  const fit = (text: string, reserve = 0): string =>
    maxLength === undefined ? text : text.slice(0, Math.max(1, maxLength - reserve)).replace(/-+$/, '');
  const taken = (slug: string): Promise<boolean> =>
    new ComparisonFilter(field, 'eq', slug)
      .apply(repository.createQueryBuilder('slug_check').withDeleted())
      .getExists();
  const plain = fit(base);
  if (!(await taken(plain))) return plain;
  for (let attempt = 0; attempt < (options.attempts ?? 10); attempt++) {
    const candidate = `${fit(base, 5)}-${suffix()}`;
    if (!(await taken(candidate))) return candidate;
  }
  throw new InvalidFilterError(`No free slug found for ${JSON.stringify(plain)}: try another value.`);
}
