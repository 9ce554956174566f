import type { EntityMetadata, FindOptionsRelations, ObjectLiteral, Repository, SelectQueryBuilder } from 'typeorm';
import type { RelationMetadata } from 'typeorm/metadata/RelationMetadata';
import { InvalidFilterError } from '../../errors/invalid-filter.error';
import { describeField } from '../filters/filter-context';
import type { LoadSpec } from './read-options';

/** A relation path to load, checked against the entities: each hop and whether it is to-one. */
export interface LoadPath {
  readonly path: readonly string[];
  readonly relations: readonly RelationMetadata[];
}

/** The relation paths of a load spec; an unknown relation is an `InvalidFilterError` naming it and the relations there are. */
export function loadPaths(metadata: EntityMetadata, spec: LoadSpec | undefined): LoadPath[] {
  if (spec === undefined) return [];
  const names: string[] = [];
  const walk = (node: LoadSpec, prefix: string): void => {
    if (Array.isArray(node)) {
      for (const name of node as readonly unknown[]) {
        if (typeof name !== 'string') throw new InvalidFilterError('load takes relation names or a tree of them.');
        names.push(prefix + name);
      }
      return;
    }
    if (typeof node !== 'object' || node === null)
      throw new InvalidFilterError('load takes relation names or a tree of them.');
    for (const [name, child] of Object.entries(node)) {
      names.push(prefix + name);
      if (child !== true) walk(child, `${prefix}${name}.`);
    }
  };
  walk(spec, '');
  return [...new Set(names)].map((name) => resolvePath(metadata, name));
}

function resolvePath(root: EntityMetadata, name: string): LoadPath {
  const path = name.split('.');
  const relations: RelationMetadata[] = [];
  let metadata = root;
  for (const hop of path) {
    const relation = metadata.relations.find((candidate) => candidate.propertyPath === hop);
    if (!relation) {
      const known = metadata.relations.map((candidate) => candidate.propertyPath);
      throw new InvalidFilterError(
        `Cannot load ${describeField(name)}: ${metadata.name} has no relation ${JSON.stringify(hop)}. ` +
          `Relations: ${known.length > 0 ? known.join(', ') : 'none'}.`,
      );
    }
    relations.push(relation);
    metadata = relation.inverseEntityMetadata;
  }
  return { path, relations };
}

const isToOne = (relation: RelationMetadata): boolean => relation.isManyToOne || relation.isOneToOne;

/** The paths a join cannot load without multiplying rows: those through a to-many relation. */
export const separatePaths = (paths: readonly LoadPath[]): LoadPath[] =>
  paths.filter((load) => !load.relations.every(isToOne));

/** The alias of a joined relation path: `record__author__country`. */
const joinAlias = (alias: string, path: readonly string[], depth: number): string =>
  [alias, ...path.slice(0, depth)].join('__');

/**
 * Joins the paths that are to-one all the way (`author`, `author.country`) into the SELECT: they
 * cannot multiply rows, so limits and counts stay right. Returns the paths left for `loadSeparately`.
 */
export function joinToOnePaths<Entity extends ObjectLiteral>(
  query: SelectQueryBuilder<Entity>,
  alias: string,
  paths: readonly LoadPath[],
): LoadPath[] {
  const joined = new Set<string>();
  const rest: LoadPath[] = [];
  for (const load of paths) {
    if (!load.relations.every(isToOne)) {
      rest.push(load);
      continue;
    }
    for (let depth = 1; depth <= load.path.length; depth++) {
      const target = joinAlias(alias, load.path, depth);
      if (joined.has(target)) continue;
      joined.add(target);
      query.leftJoinAndSelect(`${joinAlias(alias, load.path, depth - 1)}.${load.path[depth - 1]}`, target);
    }
  }
  return rest;
}

/**
 * Loads to-many paths (`loans`, `loans.book`) for rows already read, one query per relation level
 * (TypeORM's `relationLoadStrategy: 'query'`), and sets them on the rows: a page of ten books with
 * their loans stays ten books.
 */
export async function loadSeparately<Entity extends ObjectLiteral>(
  repository: Repository<Entity>,
  rows: readonly Entity[],
  paths: readonly LoadPath[],
  withDeleted: boolean,
): Promise<void> {
  if (paths.length === 0 || rows.length === 0) return;
  const metadata = repository.metadata;
  const relations: FindOptionsRelations<ObjectLiteral> = {};
  for (const load of paths) {
    let node = relations as Record<string, unknown>;
    for (const hop of load.path) {
      if (typeof node[hop] !== 'object') node[hop] = {};
      node = node[hop] as Record<string, unknown>;
    }
  }
  const ids = rows.map((row) => metadata.getEntityIdMap(row)).filter((id): id is ObjectLiteral => id !== undefined);
  const loaded = await repository.find({
    where: ids as never,
    relations: relations as FindOptionsRelations<Entity>,
    relationLoadStrategy: 'query',
    withDeleted,
  });
  const byId = new Map(loaded.map((row) => [keyOf(metadata, row), row]));
  const topLevel = [...new Set(paths.map((load) => load.path[0]))];
  for (const row of rows) {
    const source = byId.get(keyOf(metadata, row));
    if (!source) continue;
    for (const name of topLevel) (row as Record<string, unknown>)[name] = (source as Record<string, unknown>)[name];
  }
}

function keyOf(metadata: EntityMetadata, row: ObjectLiteral): string {
  return JSON.stringify(metadata.primaryColumns.map((column) => String(column.getEntityValue(row))));
}
