import type { Bind } from '../session/bind';

/** What a session of a tenant-scoped bind key does differently: made once per session, at its creation. */
export interface TenantSessionSetup {
  readonly tenant: string;
  /** The bind the session works on: the tenant's own (database strategy) or the bind key's. */
  readonly bind: Bind;
  /** Sent in the same round trip as BEGIN (PostgreSQL `SET LOCAL search_path`): it ends with the transaction. */
  readonly beginSql?: string;
  /** Sent when the session takes its connection (MariaDB/MySQL `USE`): a connection setting. */
  readonly enterSql?: string;
  /** Sent before the connection goes back to the pool, undoing `enterSql`. */
  readonly leaveSql?: string;
  /** Plain reads must run in the transaction (no `beginOnFirstWrite`): only it carries the tenant's setting. */
  readonly readsInTransaction: boolean;
}

/** A bind key's tenancy strategy at run time (`Bind.tenancy`). */
export interface BindTenancy {
  readonly strategy: 'schema' | 'database';
  /** The setup of a new session of `base` for the current tenant; throws outside any tenant. */
  sessionSetup(base: Bind): TenantSessionSetup;
  /** Closes what the strategy opened (the tenants' DataSources). */
  close(): Promise<void>;
}
