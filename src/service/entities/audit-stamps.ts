/** The audit columns of the `…AuditBase` entities. */
export interface AuditStamped {
  createdAt: Date;
  updatedAt: Date;
}

/**
 * Fills `createdAt`/`updatedAt` of a row about to be inserted, unless set by hand. Later updates
 * through `save()` (and the repository service) get a fresh `updatedAt` from the touch listener.
 */
export function stampCreation(entity: Partial<AuditStamped>): void {
  const now = new Date();
  entity.createdAt ??= now;
  entity.updatedAt ??= entity.createdAt;
}
