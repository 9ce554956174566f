/**
 * Tenant ids become schema and database names: letters, digits, `_` and `-`, starting with a
 * letter or digit, at most 48 characters (room for a prefix within PostgreSQL's 63 bytes).
 */
const TENANT_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$/;

export function isWellFormedTenantId(tenant: unknown): tenant is string {
  return typeof tenant === 'string' && TENANT_ID.test(tenant);
}

/** An identifier quoted for PostgreSQL (`"…"`) or MariaDB/MySQL (`` `…` ``), its quote doubled inside. */
export function quoteIdentifier(name: string, type: string): string {
  const quote = type === 'postgres' ? '"' : '`';
  return `${quote}${name.split(quote).join(quote + quote)}${quote}`;
}
