import { ImproperConfigurationError } from '../errors/improper-configuration.error';
import { TransactionPropagationError } from '../errors/transaction-propagation.error';
import type { Bind, BindTenancy, TenantSessionSetup } from '../session/bind';
import { currentTenantOf } from './current-tenant-of';
import { quoteIdentifier } from './tenant-id';
import type { SchemaStrategyOption } from './tenancy-options';

/**
 * The `schema` strategy: one DataSource, each session in its tenant's schema. PostgreSQL gets
 * `SET LOCAL search_path` in the BEGIN's round trip: it ends with the transaction, so no pooled
 * connection keeps it, whatever happens to the session. MariaDB/MySQL have no transaction-local
 * database: `USE tenant` when the session takes its connection, `USE home` before it goes back
 * (a connection that cannot be switched back is destroyed, never pooled). A PostgreSQL session
 * without transactions (a NOT_SUPPORTED unit) sets `search_path` on its connection the same way.
 */
export class SchemaTenancy implements BindTenancy {
  readonly strategy = 'schema';
  readonly readsInTransaction = true;
  readonly #type: string;
  readonly #leaveSql?: string;

  constructor(
    base: Bind,
    private readonly option: SchemaStrategyOption,
  ) {
    this.#type = base.dataSource.options.type;
    if (this.#type === 'better-sqlite3') {
      throw new ImproperConfigurationError(
        `tenancy { strategy: 'schema' } of bind key "${base.key}" needs PostgreSQL, MariaDB or MySQL: ` +
          "SQLite has no schemas. Use strategy 'database' (a file per tenant) or another database.",
      );
    }
    if (this.#type !== 'postgres') {
      const home = (base.dataSource.options as { database?: string }).database;
      if (!home) {
        throw new ImproperConfigurationError(
          `tenancy { strategy: 'schema' } of bind key "${base.key}" needs a database in its connection string ` +
            '(the one a connection returns to between tenants): add /<database> to it.',
        );
      }
      this.#leaveSql = `USE ${quoteIdentifier(home, this.#type)}`;
    }
  }

  /** The schema (or database) of a tenant. */
  schemaOf(tenant: string): string {
    return this.option.schemaName ? this.option.schemaName(tenant) : tenant;
  }

  sessionSetup(base: Bind, transactional: boolean): TenantSessionSetup {
    const tenant = currentTenantOf(base);
    const schema = quoteIdentifier(this.schemaOf(tenant), this.#type);
    if (this.#type === 'postgres') {
      if (transactional) return { tenant, bind: base, beginSql: `SET LOCAL search_path TO ${schema}` };
      if (base.behindTransactionPooler) {
        // Each statement outside a transaction may get another server connection from the pooler.
        throw new TransactionPropagationError(
          `A session without a transaction (a NOT_SUPPORTED unit) on bind key "${base.key}" cannot work in the ` +
            "tenant's schema behind a transaction pooler (engineConfig.transactionPooler): each of its statements " +
            'may run on another server connection, without the schema. Use REQUIRES_NEW (its own transaction) instead.',
        );
      }
      // No transaction to carry SET LOCAL (a NOT_SUPPORTED unit): a connection setting, reset before the
      // connection goes back (a connection whose reset fails is destroyed, never pooled).
      return { tenant, bind: base, enterSql: `SET search_path TO ${schema}`, leaveSql: 'RESET search_path' };
    }
    return { tenant, bind: base, enterSql: `USE ${schema}`, leaveSql: this.#leaveSql };
  }

  async close(): Promise<void> {}
}
