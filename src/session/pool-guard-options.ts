import type { Logger } from '@nestjs/common';

/** What the guard needs to know of a bind key's pools. */
export interface PoolGuardOptions {
  bindKey: string;
  /** Check each connection with a round trip at checkout (the seed's `pool_pre_ping`). */
  prePing: boolean;
  /** How long a ping may take before the connection counts as dead (the connect timeout). */
  pingTimeoutMs: number;
  /** Server-side statement timeout to set on each new MySQL/MariaDB connection; 0 = none. */
  statementTimeoutMs: number;
  logger: Logger;
}
