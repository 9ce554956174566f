import type { Bind } from '../session/bind';
import type { TwoPhaseCoordinator } from './coordinator';

const coordinators = new WeakMap<Bind, TwoPhaseCoordinator>();

/** Makes `coordinator` the two-phase coordinator of `bind` (at startup). */
export function setCoordinatorOf(bind: Bind, coordinator: TwoPhaseCoordinator): void {
  coordinators.set(bind, coordinator);
}

/** The coordinator of a two-phase bind key; fails for any other (a caller checks `bind.pipeline.twoPhase` first). */
export function coordinatorOf(bind: Bind): TwoPhaseCoordinator {
  const coordinator = coordinators.get(bind);
  if (coordinator === undefined) throw new Error(`Bind key "${bind.key}" takes no part in two-phase commit.`);
  return coordinator;
}

/** The coordinator of `bind`, when it takes part in two-phase commit. */
export function maybeCoordinatorOf(bind: Bind): TwoPhaseCoordinator | undefined {
  return coordinators.get(bind);
}
