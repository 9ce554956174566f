import type { UnitsOfWork } from './units-of-work';

/** What the owner reads of Nest's wrapper of a controller or provider. */
export interface HandlerWrapper {
  readonly instance: unknown;
  readonly metatype: unknown;
}

/** An application's units of work and the handler objects Nest made for it. */
interface HandlerOwner {
  readonly units: UnitsOfWork;
  /** Nest's wrappers of the providers whose handlers were wrapped (their `instance` exists once Nest made it). */
  readonly wrappers: readonly HandlerWrapper[];
}

// Handler methods are wrapped once per class, on its prototype; a call finds the application its
// object belongs to here (several applications may share a class, in tests for instance).
const owners = new Set<HandlerOwner>();
const unitsByInstance = new WeakMap<object, UnitsOfWork>();

/** Registers an application's handler objects; the returned function unregisters them (at shutdown). */
export function registerHandlerOwner(owner: HandlerOwner): () => void {
  owners.add(owner);
  return () => owners.delete(owner);
}

/** The units of work of the application `instance` belongs to; none for an object Nest did not make for one. */
export function unitsOf(instance: object): UnitsOfWork | undefined {
  const known = unitsByInstance.get(instance);
  if (known) return known;
  for (const owner of owners) {
    if (owner.wrappers.some((wrapper) => wrapper.instance === instance)) {
      unitsByInstance.set(instance, owner.units);
      return owner.units;
    }
  }
  // A request-scoped provider's object of one call (BullMQ makes one per job): known by its class,
  // when a single application serves that class.
  const byClass = [...owners].filter((owner) =>
    owner.wrappers.some((wrapper) => wrapper.metatype === instance.constructor),
  );
  return byClass.length === 1 ? byClass[0].units : undefined;
}
