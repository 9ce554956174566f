import { describeHost, describeHosts, type HostAddress, type HostChoice } from '../config/host-list';

/** What a server said of itself: in recovery (a standby), and whether new transactions are read-only. */
export interface ServerRole {
  standby: boolean;
  readOnly: boolean;
}

/** The one query that tells a server's role (libpq asks `SHOW transaction_read_only` for read-write). */
export const SERVER_ROLE_SQL =
  "SELECT pg_is_in_recovery() AS standby, current_setting('transaction_read_only') = 'on' AS read_only";

/** A pg client as the chooser uses it: connect, one query, end. */
export interface RoleProbeClient {
  connect(): Promise<unknown>;
  query(sql: string): Promise<{ rows: Array<Record<string, unknown>> }>;
  end(): Promise<unknown>;
}

/**
 * No server of a multi-host URL has the role the bind key asks for (all refused, or all the wrong
 * role: during a failover, before the standby is promoted). Its SQLSTATE-like code (08001,
 * sqlclient_unable_to_establish_sqlconnection) makes the module answer 503 with Retry-After.
 */
export class NoServerWithRoleError extends Error {
  readonly code = '08001';
  override name = 'NoServerWithRoleError';
}

export function roleOf(row: Record<string, unknown> | undefined): ServerRole {
  return { standby: row?.standby === true, readOnly: row?.read_only === true };
}

/** Whether a server of `role` fits `target_session_attrs` (prefer-standby takes any on its second pass). */
export function fitsRole(choice: HostChoice['targetSessionAttrs'], role: ServerRole): boolean {
  switch (choice) {
    case 'read-write':
      return !role.readOnly;
    case 'read-only':
      return role.readOnly;
    case 'primary':
      return !role.standby;
    case 'standby':
    case 'prefer-standby':
      return role.standby;
    case 'any':
      return true;
  }
}

const ROLE_WORDS: Record<HostChoice['targetSessionAttrs'], string> = {
  any: 'connections',
  'read-write': 'read-write connections',
  'read-only': 'read-only connections',
  primary: 'connections as the primary',
  standby: 'connections as a standby',
  'prefer-standby': 'connections',
};

/**
 * Which server of a multi-host PostgreSQL URL new connections of one pool go to. The answer is
 * remembered until a connection to that server fails or finds it in another role (a failover);
 * then the next connection asks every server again, in the URL's order, one probe at a time for
 * the whole pool (concurrent connects wait for the same answer).
 */
export class PgHostChooser {
  #current?: HostAddress;
  #choosing?: Promise<HostAddress>;

  constructor(
    readonly bindKey: string,
    readonly choice: HostChoice,
    private readonly openProbe: (host: HostAddress) => RoleProbeClient,
  ) {}

  /** Whether connections must check the role of their server (not for `any`). */
  get checksRole(): boolean {
    return this.choice.targetSessionAttrs !== 'any';
  }

  /** The server the next connection should go to. */
  choose(): Promise<HostAddress> {
    if (this.#current) return Promise.resolve(this.#current);
    this.#choosing ??= this.#probeAll().finally(() => {
      this.#choosing = undefined;
    });
    return this.#choosing;
  }

  /** A connection to `host` failed or found the wrong role: ask every server again next time. */
  forget(host: HostAddress): void {
    if (this.#current === host) this.#current = undefined;
  }

  /** The error for a connection whose server turned out to have another role than asked for. */
  wrongRole(host: HostAddress, role: ServerRole): NoServerWithRoleError {
    return new NoServerWithRoleError(
      `The server ${describeHost(host)} of bind key "${this.bindKey}" is ${describeRole(role)} now and does not ` +
        `accept ${ROLE_WORDS[this.choice.targetSessionAttrs]}: a failover is under way. Retry shortly.`,
    );
  }

  async #probeAll(): Promise<HostAddress> {
    const { hosts, targetSessionAttrs } = this.choice;
    const findings: string[] = [];
    let firstReachable: HostAddress | undefined;
    for (const host of hosts) {
      const found = await this.#probe(host);
      if (typeof found === 'string') {
        findings.push(`${describeHost(host)}: ${found}`);
        continue;
      }
      firstReachable ??= host;
      if (fitsRole(targetSessionAttrs, found)) return (this.#current = host);
      findings.push(`${describeHost(host)}: ${describeRole(found)}`);
    }
    // Not remembered: the next connection looks for a standby again.
    if (targetSessionAttrs === 'prefer-standby' && firstReachable) return firstReachable;
    throw new NoServerWithRoleError(
      `No server of bind key "${this.bindKey}" (${describeHosts(hosts)}) accepts ` +
        `${ROLE_WORDS[targetSessionAttrs]} now (${findings.join('; ')}). Retry shortly: a failover may be under way.`,
    );
  }

  /** The role of one server, or why it could not be asked (without credentials). */
  async #probe(host: HostAddress): Promise<ServerRole | string> {
    const client = this.openProbe(host);
    try {
      await client.connect();
      if (!this.checksRole) return { standby: false, readOnly: false };
      return roleOf((await client.query(SERVER_ROLE_SQL)).rows[0]);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      return typeof code === 'string' ? `unreachable (${code})` : 'unreachable';
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

function describeRole(role: ServerRole): string {
  return role.standby ? 'a standby' : role.readOnly ? 'a read-only primary' : 'a read-write primary';
}
