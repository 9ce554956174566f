import type { IncomingMessage } from 'node:http';
import { AdvancedAlchemyModule } from 'nestjs-advanced-alchemy';
import { Item } from '../item.entity';
import { oursVariant } from './ours';
import type { Variant } from './variant';

/** The one tenant of the bench, named in each request's query string (`?tenant=bench`). */
const TENANT = 'bench';

/** The tenant of a request: its `tenant` query parameter, read without building a URL object. */
function tenantOfRequest(request: IncomingMessage): string | undefined {
  const url = request.url ?? '';
  const at = url.indexOf('?tenant=');
  return at < 0 ? undefined : url.slice(at + '?tenant='.length);
}

/**
 * `ours` with tenancy: every request resolves its tenant (the module's middleware, `isKnown`
 * checked) and its session works in the tenant's schema (`schema`: `SET LOCAL search_path` in the
 * BEGIN's round trip on PostgreSQL, `USE` on taking and giving back the connection on MariaDB) or in
 * the tenant's own DataSource (`database`, held for the request). The tenant's schema or database is
 * the bench's own, so the same rows are written and read, and the bench's row check holds.
 */
export function oursTenantVariant(strategy: 'schema' | 'database'): Variant {
  const variant = oursVariant(undefined, {
    name: `ours+tenant-${strategy}`,
    runsOn: (kind) => strategy === 'database' || kind !== 'sqlite',
    alchemyModule(connectionString) {
      const sqlite = connectionString.startsWith('sqlite');
      const home = sqlite ? '' : decodeURIComponent(new URL(connectionString).pathname.slice(1));
      const postgres = connectionString.startsWith('postgres');
      return AdvancedAlchemyModule.forRoot(
        {
          connectionString,
          entities: [Item],
          commitMode: 'autocommit',
          engineConfig: sqlite ? {} : { poolSize: 10 },
          tenancy:
            strategy === 'schema'
              ? { strategy, schemaName: () => (postgres ? 'public' : home) }
              : { strategy, connectionString: () => connectionString, poolSize: sqlite ? 1 : 10, maxOpenTenants: 1 },
        },
        {
          tenancy: {
            resolve: (source) => (source.kind === 'http' ? tenantOfRequest(source.request) : undefined),
            isKnown: (tenant) => tenant === TENANT,
          },
        },
      );
    },
  });
  return {
    ...variant,
    requests: (readRow) => ({
      write: { method: 'POST', path: `/items?tenant=${TENANT}` },
      read: { method: 'GET', path: `/items/${readRow}?tenant=${TENANT}` },
    }),
  };
}
