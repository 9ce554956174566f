import { AdvancedAlchemyError } from '../errors/advanced-alchemy.error';

/** A scope refused before any statement: no tenant, or one that does not exist. */
export class TenantRejectedError extends AdvancedAlchemyError {
  constructor(
    message: string,
    /** The HTTP status the refusal is answered with (`missingStatus` / `unknownStatus`). */
    readonly status: number,
    readonly reason: 'missing' | 'unknown',
  ) {
    super(message);
  }
}

/** A session of a tenant-scoped bind key opened outside any tenant (e.g. in a script without `CurrentTenant.run`). */
export class TenantRequiredError extends AdvancedAlchemyError {}
