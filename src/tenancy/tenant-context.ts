import { AsyncLocalStorage } from 'node:async_hooks';
import type { Bind } from '../session/bind';

/** A tenant's DataSource held open for a scope (database strategy): given back when the scope ends. */
export interface TenantLease {
  readonly bind: Bind;
  release(): void;
}

/** The tenant of the scope the current code runs in, and what it holds open. */
export class TenantContext {
  /** Per bind key of the database strategy (by bind index), the tenant's own bind. */
  readonly #leases: Array<TenantLease | undefined> = [];
  #released = false;

  constructor(readonly id: string) {}

  hold(base: Bind, lease: TenantLease): void {
    this.#leases[base.index] = lease;
  }

  /** The tenant's bind of a database-strategy bind key, if this scope holds it. */
  leasedBind(base: Bind): Bind | undefined {
    return this.#leases[base.index]?.bind;
  }

  /** Gives back every DataSource held (once the scope's sessions are closed); safe to call twice. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    for (const lease of this.#leases) lease?.release();
  }
}

/** The tenant the current code runs for. */
export const tenantStorage = new AsyncLocalStorage<TenantContext>();
