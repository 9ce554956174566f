import {
  EntitySchema,
  Repository,
  TreeRepository,
  type DataSource,
  type EntityManager,
  type EntityTarget,
  type ObjectLiteral,
  type QueryRunner,
} from 'typeorm';
import { ImproperConfigurationError } from '../errors/improper-configuration.error';
import type { Bind } from '../session/bind';
import { sessionBoundManager } from './session-bound-manager';
import { isRepositoryClass } from './typeorm-feature-scan';
import { sessionScopeStorage } from '../session/session-scope';

type AnyFunction = (...args: unknown[]) => unknown;

const viewsByBind = new WeakMap<Bind, SessionBoundViews>();

/**
 * What a bind key shows through `@nestjs/typeorm`'s tokens: one session-bound manager, its
 * repositories (one per entity, like TypeORM's own cache), and a view of the DataSource that
 * hands those out.
 */
export class SessionBoundViews {
  readonly manager: EntityManager;
  readonly dataSource: DataSource;
  readonly #repositories = new Map<EntityTarget<ObjectLiteral>, Repository<ObjectLiteral>>();
  readonly #treeRepositories = new Map<EntityTarget<ObjectLiteral>, TreeRepository<ObjectLiteral>>();
  /** Entities a repository was asked for that the bind key's DataSource does not know. */
  readonly unknownEntities: string[] = [];

  constructor(readonly bind: Bind) {
    this.manager = sessionBoundManager(bind);
    this.dataSource = sessionBoundDataSource(this);
  }

  /** A repository whose every call runs in the current scope's session (or on the DataSource outside scopes). */
  repository<Entity extends ObjectLiteral>(target: EntityTarget<Entity>): Repository<Entity> {
    let repository = this.#repositories.get(target);
    if (!repository) {
      this.ensureEntity(target);
      repository = new Repository(target, this.manager);
      this.#repositories.set(target, repository);
    }
    return repository as unknown as Repository<Entity>;
  }

  treeRepository<Entity extends ObjectLiteral>(target: EntityTarget<Entity>): TreeRepository<Entity> {
    let repository = this.#treeRepositories.get(target);
    if (!repository) {
      this.ensureEntity(target);
      repository = new TreeRepository(target, this.manager);
      this.#treeRepositories.set(target, repository);
    }
    return repository as unknown as TreeRepository<Entity>;
  }

  /**
   * Notes an entity the bind key lacks: repositories are made while the application wires itself,
   * and the module refuses to start once wiring is done (see `rejectUnknownEntities`).
   */
  private ensureEntity(target: EntityTarget<ObjectLiteral>): void {
    // `forFeature([CustomRepository])`: @nestjs/typeorm hands out TypeORM's repository of that class
    // (its target has no metadata, as with TypeORM itself); no reason to refuse the start.
    if (this.bind.dataSource.hasMetadata(target) || isRepositoryClass(target)) return;
    const name =
      typeof target === 'function'
        ? target.name
        : target instanceof EntitySchema
          ? target.options.name
          : String((target as { name?: unknown }).name ?? target);
    if (!this.unknownEntities.includes(name)) this.unknownEntities.push(name);
  }
}

/** Throws, naming the entities and the fix, if a repository was asked for an entity its bind key lacks. */
export function rejectUnknownEntities(binds: readonly Bind[]): void {
  const problems = binds.flatMap((bind) =>
    (viewsByBind.get(bind)?.unknownEntities ?? []).map((name) => {
      const key = bind.key === 'default' ? '' : `, '${bind.key}'`;
      return (
        `${name} is not an entity of bind key "${bind.key}", so it has no repository there: add it to the entities ` +
        `of that config, or set autoLoadEntities: true on the config and register it with ` +
        `AdvancedAlchemyModule.forFeature([${name}]${key}) (or name the bind key it belongs to).`
      );
    }),
  );
  if (problems.length > 0) throw new ImproperConfigurationError(problems.join(' '));
}

/**
 * The bind key's DataSource as `@InjectDataSource()` and `constructor(dataSource: DataSource)` see it:
 * its `manager`, `getRepository`, `getTreeRepository` and `createEntityManager()` are session-bound;
 * so are `query`, `createQueryBuilder` and `transaction` inside a session scope (in the scope's
 * session; `transaction` as a savepoint inside its open transaction). Outside every scope they, and
 * every other member (`createQueryRunner` always), are the DataSource's own, called on it.
 */
function sessionBoundDataSource(views: SessionBoundViews): DataSource {
  const dataSource = views.bind.dataSource;
  // In a scope: the scope's session manager for this bind key; outside: the DataSource itself.
  const inScope = (property: 'query' | 'createQueryBuilder' | 'transaction') =>
    function (this: unknown, ...args: unknown[]): unknown {
      const scope = sessionScopeStorage.getStore();
      const target: object = scope === undefined ? dataSource : scope.sessionFor(views.bind).manager;
      return (Reflect.get(target, property, target) as AnyFunction).apply(target, args);
    };
  const sessionBound = new Map<PropertyKey, unknown>([
    ['manager', views.manager],
    ['getRepository', (target: EntityTarget<ObjectLiteral>) => views.repository(target)],
    ['getTreeRepository', (target: EntityTarget<ObjectLiteral>) => views.treeRepository(target)],
    [
      'createEntityManager',
      (queryRunner?: QueryRunner) =>
        queryRunner === undefined ? views.manager : dataSource.createEntityManager(queryRunner),
    ],
    ['query', inScope('query')],
    ['createQueryBuilder', inScope('createQueryBuilder')],
    ['transaction', inScope('transaction')],
  ]);
  // Bound once per function value: a test (or a tool) that replaces a method on the DataSource is still heard.
  const boundMethods = new WeakMap<AnyFunction, AnyFunction>();
  return new Proxy(dataSource, {
    get(target, property) {
      const own = sessionBound.get(property);
      if (own !== undefined) return own;
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function' || property === 'constructor') return value;
      let bound = boundMethods.get(value as AnyFunction);
      if (!bound) {
        bound = (value as AnyFunction).bind(target);
        boundMethods.set(value as AnyFunction, bound);
      }
      return bound;
    },
    set(target, property, value) {
      return Reflect.set(target, property, value, target);
    },
  });
}

/** The session-bound views of a bind key, made once. */
export function sessionBoundViews(bind: Bind): SessionBoundViews {
  let views = viewsByBind.get(bind);
  if (!views) {
    views = new SessionBoundViews(bind);
    viewsByBind.set(bind, views);
  }
  return views;
}
