/**
 * The unit-test mode of `@Transactional()`: switched on explicitly, it lets a plain unit test (no
 * database, no module) call `@Transactional()` methods, which then just run. It changes nothing while
 * an `AdvancedAlchemyModule` runs in the process, so an application never loses the error it gets for
 * a method run outside every scope.
 */
let passThrough = false;

/** Switches the unit-test mode on; returns the function that switches it off again. */
export function enableTransactionalTestMode(): () => void {
  passThrough = true;
  return disableTransactionalTestMode;
}

export function disableTransactionalTestMode(): void {
  passThrough = false;
}

/** Whether the unit-test mode is on. */
export function transactionalTestModeEnabled(): boolean {
  return passThrough;
}
