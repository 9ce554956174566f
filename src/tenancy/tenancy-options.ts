import type { IncomingMessage } from 'node:http';

/**
 * What a tenant is resolved from: the scope the module opens a unit of work for. GraphQL
 * operations over HTTP are resolved from their HTTP request.
 */
export type TenantSource =
  | { kind: 'http'; request: IncomingMessage }
  | { kind: 'job'; job: unknown }
  | { kind: 'message'; data: unknown; context: unknown }
  /** A WebSocket gateway's message: its data and the client socket it came on. */
  | { kind: 'socket'; data: unknown; client: unknown };

/** `AdvancedAlchemyModule.forRoot(configs, { tenancy })`: how the application finds a scope's tenant. */
export interface TenancyOptions {
  /**
   * The tenant of a scope (a header, a sub-domain, a JWT claim, a field of a job's data), run once
   * per scope before any statement; `undefined` = no tenant: the scope is refused.
   */
  resolve(source: TenantSource): string | undefined | Promise<string | undefined>;
  /**
   * Whether a resolved tenant exists (e.g. a lookup in a catalogue, cached by you). Unset: every
   * tenant a `database` strategy can find a connection for, and every well-formed id otherwise.
   */
  isKnown?(tenant: string): boolean | Promise<boolean>;
  /** Every tenant, for the command line's `--all-tenants` (`db upgrade --all-tenants`). */
  listTenants?(): readonly string[] | Promise<readonly string[]>;
  /** The HTTP status of a request without a tenant. Default 400. */
  missingStatus?: number;
  /** The HTTP status of a request whose tenant is not known. Default 404. */
  unknownStatus?: number;
}

/**
 * Per bind key, `tenancy: { strategy: 'schema' }`: every session works in its tenant's schema
 * (PostgreSQL) or database on the same server (MariaDB/MySQL).
 */
export interface SchemaStrategyOption {
  strategy: 'schema';
  /** The schema (PostgreSQL) or database (MariaDB/MySQL) of a tenant. Default: the tenant id itself. */
  schemaName?: (tenant: string) => string;
}

/** Where a tenant's database is: a connection string, or `undefined` for a tenant that does not exist. */
export type TenantConnectionLookup = (tenant: string) => string | undefined | Promise<string | undefined>;

/**
 * Per bind key, `tenancy: { strategy: 'database' }`: a DataSource per tenant, opened on first use,
 * closed when idle or when more than `maxOpenTenants` are open.
 */
export interface DatabaseStrategyOption {
  strategy: 'database';
  /** A connection string with `{tenant}` where the tenant id goes, or a lookup function. */
  connectionString: string | TenantConnectionLookup;
  /** Tenants whose DataSource may be open at once (least recently used closed first). Default 20. */
  maxOpenTenants?: number;
  /** Connections of each tenant's pool. Default 2. */
  poolSize?: number;
  /** A tenant unused for this long has its DataSource closed. Default 60000 ms; 0 = never. */
  idleTimeoutMs?: number;
}

export type TenantStrategyOption = SchemaStrategyOption | DatabaseStrategyOption;
