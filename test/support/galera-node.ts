import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';

/** Debian's galera-4 provider: where it is, the suites can start Galera nodes. */
export const GALERA_PROVIDER = '/usr/lib/galera/libgalera_smm.so';

export function galeraAvailable(): boolean {
  return existsSync(GALERA_PROVIDER) && spawnSync('which', ['mariadbd', 'mariadb-install-db', 'rsync']).status === 0;
}

/** One MariaDB server with wsrep on, a member of a cluster on loopback ports. */
export interface GaleraNode {
  /** `mariadb://root@127.0.0.1:<port>/app` (the `app` database exists on every node). */
  url: string;
  port: number;
  /** Runs one statement on the node through a connection of its own; returns the rows. */
  query(sql: string): Promise<Array<Record<string, unknown>>>;
  /** Kills the server (SIGKILL): the other nodes see it leave the cluster. */
  kill(): Promise<void>;
}

export interface GaleraCluster {
  nodes: GaleraNode[];
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Four loopback ports a node needs: SQL, group communication, IST and SST (rsync). */
export const PORTS_PER_NODE = 4;

/**
 * Starts a Galera cluster of `ports.length / 4` nodes: the first bootstraps the cluster, each next
 * one joins it (state transfer by rsync) and is waited for until synced. Throws, with the last
 * lines of the failing node's log, when a node does not come up within a minute.
 */
export async function startGaleraCluster(ports: number[]): Promise<GaleraCluster> {
  const root = mkdtempSync(join(tmpdir(), 'aa-galera-'));
  chmodSync(root, 0o777);
  const count = ports.length / PORTS_PER_NODE;
  const groupAddresses = Array.from({ length: count }, (_, i) => `127.0.0.1:${ports[i * PORTS_PER_NODE + 1]}`);
  const nodes: GaleraNode[] = [];
  const children: ChildProcess[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(nodes.map((node) => node.kill()));
    for (const child of children) if (live.delete(child)) child.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  };
  try {
    for (let index = 0; index < count; index++) {
      const [port, groupPort, istPort, sstPort] = ports.slice(index * PORTS_PER_NODE, (index + 1) * PORTS_PER_NODE);
      const dataDir = join(root, `node${index + 1}`);
      const install = spawnSync(
        'mariadb-install-db',
        [
          `--datadir=${dataDir}`,
          '--no-defaults',
          '--user=mysql',
          '--skip-test-db',
          '--auth-root-authentication-method=normal',
        ],
        { encoding: 'utf8' },
      );
      if (install.status !== 0) throw new Error(`mariadb-install-db failed: ${install.stderr}`);
      const child = spawn(
        'mariadbd',
        [
          '--no-defaults',
          `--datadir=${dataDir}`,
          '--user=mysql',
          `--port=${port}`,
          '--bind-address=127.0.0.1',
          `--socket=${join(root, `node${index + 1}.sock`)}`,
          `--pid-file=${join(root, `node${index + 1}.pid`)}`,
          '--skip-name-resolve',
          '--innodb-buffer-pool-size=32M',
          '--innodb-log-file-size=16M',
          '--innodb-flush-log-at-trx-commit=0',
          '--binlog-format=ROW',
          '--innodb-autoinc-lock-mode=2',
          '--wsrep-on=ON',
          `--wsrep-provider=${GALERA_PROVIDER}`,
          `--wsrep-cluster-address=gcomm://${index === 0 ? '' : groupAddresses.join(',')}`,
          `--wsrep-provider-options=gmcast.listen_addr=tcp://127.0.0.1:${groupPort};ist.recv_addr=127.0.0.1:${istPort};gcache.size=32M`,
          `--wsrep-node-address=127.0.0.1:${groupPort}`,
          `--wsrep-node-name=node${index + 1}`,
          '--wsrep-sst-method=rsync',
          `--wsrep-sst-receive-address=127.0.0.1:${sstPort}`,
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      live.add(child);
      children.push(child);
      let log = '';
      child.stderr?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-3000)));
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      const query = async (sql: string): Promise<Array<Record<string, unknown>>> => {
        const connection = await createConnection({ host: '127.0.0.1', port, user: 'root', connectTimeout: 2000 });
        try {
          return (await connection.query(sql))[0] as Array<Record<string, unknown>>;
        } finally {
          await connection.end();
        }
      };
      const node: GaleraNode = {
        url: `mariadb://root@127.0.0.1:${port}/app`,
        port,
        query,
        kill: async () => {
          if (!live.delete(child)) return;
          child.kill('SIGKILL');
          await exited;
        },
      };
      nodes.push(node);
      const until = Date.now() + 60_000;
      for (;;) {
        const state = await query("SHOW STATUS LIKE 'wsrep_local_state_comment'").catch(() => []);
        if (state[0]?.Value === 'Synced') break;
        if (child.exitCode !== null || Date.now() > until) {
          throw new Error(`Galera node ${index + 1} did not start: ${log}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      if (index === 0) await query('CREATE DATABASE app');
    }
    return { nodes, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
