import type { HostAddress, HostChoice } from '../config/host-list';
import { PgHostChooser, roleOf, SERVER_ROLE_SQL, fitsRole, type RoleProbeClient } from './pg-host-chooser';

/** The parts of pg's `Client` the subclass touches (pg 8). */
interface PgClientInstance {
  connect(callback?: PgConnectCallback): Promise<unknown> | undefined;
  query(sql: string): Promise<{ rows: Array<Record<string, unknown>> }>;
  end(): Promise<unknown>;
  on(event: 'error', listener: (error: Error) => void): unknown;
  off(event: 'error', listener: (error: Error) => void): unknown;
  host: string;
  port: number;
  connectionParameters: { host: string; port: number };
  connection?: { stream?: { destroyed?: boolean } };
}
type PgConnectCallback = (error?: Error) => void;
interface PgClientInternals {
  connect(callback: PgConnectCallback): void;
}
type PgClientClass = new (config: Record<string, unknown>) => PgClientInstance;

/**
 * A pg `Client` class for pg-pool's `Client` option (TypeORM passes `extra` to the pool) that
 * does what libpq does with several hosts and `target_session_attrs`, which pg does not: each new
 * connection goes to the server the chooser names, and checks that server's role after its
 * handshake; a connection that finds the wrong role is closed and fails (the next one asks every
 * server again). Connections already in the pool are not moved: those to a server that went away
 * fail and are dropped by the pool guard, the rest keep working where they are.
 */
export function hostChoosingPgClient(bindKey: string, choice: HostChoice): PgClientClass {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- pg is an optional peer, present on PostgreSQL binds
  const pg = require('pg') as { Client: PgClientClass };
  let chooser: PgHostChooser | undefined;
  return class HostChoosingPgClient extends pg.Client {
    constructor(config: Record<string, unknown>) {
      super(config);
      chooser ??= new PgHostChooser(bindKey, choice, (host) => {
        const probe = new pg.Client({ ...config, host: host.host, port: host.port, application_name: 'aa-host-probe' });
        // A probe's lost connection rejects its connect or query; as an event it would end the process.
        probe.on('error', () => undefined);
        return probe as unknown as RoleProbeClient;
      });
    }

    override connect(callback?: PgConnectCallback): Promise<this> | undefined {
      const done = this.#connectToChosenHost(chooser as PgHostChooser);
      if (!callback) return done.then(() => this);
      done.then(
        () => callback(),
        (error: Error) => callback(error),
      );
      return undefined;
    }

    async #connectToChosenHost(hosts: PgHostChooser): Promise<void> {
      const host = await hosts.choose();
      // pg-pool's connect timeout may have fired while the servers were asked: nothing to connect then.
      if (this.connection?.stream?.destroyed) throw new Error('Connection terminated due to connection timeout');
      this.host = this.connectionParameters.host = host.host;
      this.port = this.connectionParameters.port = host.port;
      try {
        await new Promise<void>((resolve, reject) =>
          (pg.Client.prototype as unknown as PgClientInternals).connect.call(this, (error?: Error) =>
            error ? reject(error) : resolve(),
          ),
        );
      } catch (error) {
        hosts.forget(host);
        throw error;
      }
      if (!hosts.checksRole) return;
      // Until the pool hands the client out (and listens to it), a connection lost during the role
      // query must not become an 'error' event without a listener: the query's rejection reports it.
      const ignore = (): void => undefined;
      this.on('error', ignore);
      try {
        await this.#checkRole(hosts, host);
      } finally {
        this.off('error', ignore);
      }
    }

    /** After the handshake, as libpq does: a server that changed role since it was chosen is not used. */
    async #checkRole(hosts: PgHostChooser, host: HostAddress): Promise<void> {
      let role;
      try {
        role = roleOf((await this.query(SERVER_ROLE_SQL)).rows[0]);
      } catch (error) {
        hosts.forget(host);
        await this.end().catch(() => undefined);
        throw error;
      }
      if (fitsRole(choice.targetSessionAttrs, role) || choice.targetSessionAttrs === 'prefer-standby') return;
      hosts.forget(host);
      await this.end().catch(() => undefined);
      throw hosts.wrongRole(host, role);
    }
  };
}
