import type { Bind } from '../session/bind';
import type { TenantLease } from './tenant-context';

interface Entry {
  readonly tenant: string;
  readonly bind: Bind;
  /** Scopes holding this tenant's DataSource now. */
  leases: number;
  idleSince: number;
}

interface Opening {
  promise: Promise<Entry | undefined>;
  /** Scopes waiting for this opening: they hold the entry from the moment it exists. */
  joiners: number;
}

export interface TenantBindPoolLimits {
  maxOpen: number;
  /** 0 = never closed for idleness. */
  idleTimeoutMs: number;
}

/**
 * The open tenants of one bind key (database strategy), at most `maxOpen` at once: the least
 * recently used one that no scope holds is closed to make room, and a new tenant waits while every
 * open one is held. One opening per tenant however many scopes ask for it at once.
 */
export class TenantBindPool {
  /** In least-recently-used order: a lease moves its tenant to the end. */
  readonly #open = new Map<string, Entry>();
  readonly #opening = new Map<string, Opening>();
  /** Open DataSources plus those being opened: the figure `maxOpen` bounds. */
  #taken = 0;
  #waiters: Array<() => void> = [];
  #timer?: NodeJS.Timeout;
  #closed = false;
  /** DataSources opened so far (each tenant once per time it is opened). */
  openedCount = 0;

  constructor(
    private readonly limits: TenantBindPoolLimits,
    /** Where a tenant's database is; `undefined` for a tenant that does not exist. */
    private readonly locate: (tenant: string) => Promise<string | undefined>,
    private readonly openBind: (tenant: string, connectionString: string) => Promise<Bind>,
    private readonly closeBind: (bind: Bind) => Promise<void>,
  ) {}

  /** The tenants open now, least recently used first. */
  get openTenants(): string[] {
    return [...this.#open.keys()];
  }

  /** Holds `tenant`'s bind, opening it if needed; `undefined` when the tenant does not exist. */
  async lease(tenant: string): Promise<TenantLease | undefined> {
    let entry = this.#open.get(tenant);
    if (entry) {
      entry.leases++;
      this.#open.delete(tenant);
      this.#open.set(tenant, entry);
    } else {
      const opening = this.#opening.get(tenant) ?? this.startOpening(tenant);
      // Counted before the opening can end: the entry is born held by every joiner.
      opening.joiners++;
      entry = await opening.promise;
      if (!entry) return undefined;
    }
    const held = entry;
    let released = false;
    return {
      bind: held.bind,
      release: () => {
        if (released) return;
        released = true;
        this.release(held);
      },
    };
  }

  /**
   * Holds `tenant`'s bind if it is open now, without opening it, moving it in the LRU order or
   * resetting its idle time (health checks look, they do not use).
   */
  holdIfOpen(tenant: string): TenantLease | undefined {
    const entry = this.#open.get(tenant);
    if (!entry) return undefined;
    const idleSince = entry.idleSince;
    entry.leases++;
    let released = false;
    return {
      bind: entry.bind,
      release: () => {
        if (released) return;
        released = true;
        this.release(entry);
        if (entry.leases === 0) entry.idleSince = idleSince;
      },
    };
  }

  /** Closes every tenant's DataSource; leases asked for afterwards fail. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    const entries = [...this.#open.values()];
    this.#open.clear();
    this.wake();
    await Promise.all(entries.map((entry) => this.closeBind(entry.bind).catch(() => undefined)));
  }

  private startOpening(tenant: string): Opening {
    const opening = { joiners: 0 } as Opening;
    opening.promise = this.openEntry(tenant, opening).finally(() => this.#opening.delete(tenant));
    this.#opening.set(tenant, opening);
    return opening;
  }

  private async openEntry(tenant: string, opening: Opening): Promise<Entry | undefined> {
    const connectionString = await this.locate(tenant);
    if (connectionString === undefined) return undefined;
    await this.makeRoom();
    let bind: Bind;
    try {
      bind = await this.openBind(tenant, connectionString);
    } catch (error) {
      this.#taken--;
      this.wake();
      throw error;
    }
    this.openedCount++;
    const entry: Entry = { tenant, bind, leases: opening.joiners, idleSince: 0 };
    this.#open.set(tenant, entry);
    this.startIdleTimer();
    return entry;
  }

  /** Waits until one more DataSource may be open: closes the least recently used idle one, or waits for one. */
  private async makeRoom(): Promise<void> {
    while (this.#taken >= this.limits.maxOpen) {
      if (this.#closed) throw new Error('The application is shutting down: no tenant DataSource is opened.');
      const victim = [...this.#open.values()].find(isIdle);
      if (victim) {
        await this.evict(victim);
        continue;
      }
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    this.#taken++;
  }

  private async evict(entry: Entry): Promise<void> {
    this.#open.delete(entry.tenant);
    try {
      await this.closeBind(entry.bind);
    } finally {
      // Counted free only once its connections are closed: the server never sees more than the bound.
      this.#taken--;
      this.wake();
    }
  }

  private release(entry: Entry): void {
    entry.leases--;
    if (entry.leases > 0) return;
    entry.idleSince = performance.now();
    this.wake();
  }

  private wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }

  private startIdleTimer(): void {
    if (this.#timer || this.limits.idleTimeoutMs <= 0) return;
    const every = Math.max(50, Math.floor(this.limits.idleTimeoutMs / 2));
    this.#timer = setInterval(() => this.closeIdle(), every);
    this.#timer.unref();
  }

  private closeIdle(): void {
    const now = performance.now();
    for (const entry of [...this.#open.values()]) {
      if (isIdle(entry) && now - entry.idleSince >= this.limits.idleTimeoutMs)
        void this.evict(entry).catch(() => undefined);
    }
  }
}

function isIdle(entry: Entry): boolean {
  return entry.leases === 0 && entry.bind.openSessions === 0;
}
